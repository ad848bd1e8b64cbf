"""Demo surveys for the demo school week: 16 students answered before the week, 12 after, with figures
shaped like seed 001's (approachability up about 11%, 83% 'better', 100% recommend, 100% want a mentor).
Idempotent: answered invitations are left alone.
"""

from datetime import datetime

from django.utils import timezone

from placements.models import Placement, Programme

from .models import Response
from .services import response_submit, survey_setup_programme

PRE = {
    # one value per placement, in placement order (16 students)
    "approachability": [3, 4, 5, 5, 4, 4, 5, 4, 5, 5, 4, 5, 3, 4, 4, 3],
    "trust": [3, 4, 4, 4, 3, 4, 5, 4, 4, 3, 4, 4, 3, 3, 4, 4],
    "fairness": [3, 3, 4, 4, 3, 4, 4, 3, 4, 3, 4, 4, 3, 4, 3, 3],
    "career_interest": [4, 5, 5, 4, 3, 5, 5, 4, 5, 4, 3, 5, 2, 4, 3, 4],
}
POST = {
    # the first 12 students answered afterwards
    "approachability": [4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5],
    "trust": [4, 4, 5, 4, 4, 4, 5, 4, 4, 4, 4, 5],
    "fairness": [4, 3, 4, 4, 4, 4, 5, 4, 4, 3, 4, 4],
    "career_interest": [5, 5, 5, 4, 4, 5, 5, 5, 5, 4, 4, 5],
}
PERCEPTION = ["better"] * 5 + ["same"] + ["better"] * 4 + ["same", "better"]
ACTIVITY_BASE = {
    "premises-search": 5,
    "vehicle-forensics": 4,
    "mock-burglary": 4,
    "missing-person-call": 4,
    "personal-safety-ppe": 4,
    "air-service": 5,
    "drones": 4,
    "method-of-entry": 5,
    "armed-roads-policing": 4,
    "major-crime": 3,
}
NUDGE = [0, -1, 0, 1, 0, 0, -1]
HOPES = ["What a normal day is like for an officer.", "How the dogs are trained.", "", "Whether I could join at 18."]
COMMENTS = [
    "The dogs were the best bit.",
    "",
    "I did not think the police would listen to us like that.",
    "More time with the drones please",
    "",
    "=It was good",  # a formula-like answer: the export must neutralise it
]


def seed(*, force, stdout=None):
    week = Programme.objects.filter(force=force, title="Summer work-experience week 2026").first()
    if week is None:
        return
    surveys = survey_setup_programme(programme=week)
    tz = timezone.get_current_timezone()
    pre, post = surveys["pre"], surveys["post"]
    if pre.opens_at is None:
        pre.opens_at = datetime(2026, 7, 6, 9, 0, tzinfo=tz)
        pre.closes_at = datetime(2026, 7, 13, 9, 0, tzinfo=tz)
        pre.save(update_fields=["opens_at", "closes_at"])
    if post.opens_at is None:
        # Left open, so the four students who have not answered yet can be tried in the browser.
        post.opens_at = datetime(2026, 7, 17, 14, 30, tzinfo=tz)
        post.save(update_fields=["opens_at"])
    placements = list(Placement.objects.filter(programme=week).order_by("pk"))
    answered = set(Response.objects.filter(invitation__survey__programme=week).values_list("invitation_id", flat=True))
    for index, placement in enumerate(placements[:16]):
        invitation = pre.invitations.get(placement=placement)
        if invitation.pk not in answered:
            answers = {code: str(values[index]) for code, values in PRE.items()}
            answers["hopes"] = HOPES[index % len(HOPES)]
            response_submit(
                invitation=invitation,
                answers=answers,
                source=Response.Source.PAPER if index in (1, 14) else Response.Source.ONLINE,
            )
    for index, placement in enumerate(placements[:12]):
        invitation = post.invitations.get(placement=placement)
        if invitation.pk in answered:
            continue
        answers = {code: str(values[index]) for code, values in POST.items()}
        answers.update(
            perception_change=PERCEPTION[index],
            would_recommend="yes",
            wants_mentor="yes",
            comments=COMMENTS[index % len(COMMENTS)],
        )
        for number, (slug, base) in enumerate(ACTIVITY_BASE.items()):
            answers[f"activity:{slug}"] = str(max(1, min(5, base + NUDGE[(index + number) % len(NUDGE)])))
        response_submit(invitation=invitation, answers=answers)
    if stdout is not None:
        stdout.write(f"Demo surveys for {week.title}: 16 before, 12 after.")
