"""Demo surveys. The finished week: 16 students answered before it, 12 after, with figures shaped like
seed 001's (approachability up about 11%, 83% 'better', 100% recommend, 100% want a mentor); its
after-the-week survey stays open for the four who have not answered. The running week: 14 of its
16 students answered before it began; its after-the-week survey opens on the Friday afternoon.
Idempotent: answered invitations are left alone.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from placements.demo import Link
from placements.models import Placement, Programme

from .models import Invitation, Response
from .services import (
    invitation_path,
    outcome_questions_missing,
    response_submit,
    survey_outcome_questions_add,
    survey_setup_programme,
)
from .standard import OUTCOME_PREFIX

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
OUTCOME_BASE = [4, 4, 3, 5, 4, 3, 5, 2, 4]
HOPES = ["What a normal day is like for an officer.", "How the dogs are trained.", "", "Whether I could join at 18."]
COMMENTS = [
    "The dogs were the best bit.",
    "",
    "I did not think the police would listen to us like that.",
    "More time with the drones please",
    "",
    "=It was good",  # a formula-like answer: the export must neutralise it
]


def seed(*, force, story):
    """Set up and answer the two school weeks' surveys; returns a student's survey link to try."""
    now = timezone.now()
    completed = Programme.objects.filter(force=force, title=story.completed.title).first()
    running = Programme.objects.filter(force=force, title=story.running.title).first()
    if completed is not None:
        _seed_programme(completed, before=16, after=12, now=now)
    if running is not None:
        _seed_programme(running, before=14, after=0, now=now)
    return [_survey_link(completed)] if completed is not None else []


def _seed_programme(week, *, before, after, now):
    surveys = survey_setup_programme(programme=week)
    tz = timezone.get_current_timezone()
    pre, post = surveys["pre"], surveys["post"]
    if pre.opens_at is None:
        pre.opens_at = datetime.combine(week.start_date - timedelta(days=7), time(9, 0), tz)
        pre.closes_at = datetime.combine(week.start_date, time(9, 0), tz)
        pre.save(update_fields=["opens_at", "closes_at"])
    if post.opens_at is None:
        # Left open, so students who have not answered yet can still do so (and it can be tried).
        post.opens_at = datetime.combine(week.end_date, time(14, 30), tz)
        post.save(update_fields=["opens_at"])
    if outcome_questions_missing(post):
        survey_outcome_questions_add(survey=post, actor=None)
    outcome_codes = list(post.questions.filter(code__startswith=OUTCOME_PREFIX).values_list("code", flat=True))
    placements = list(Placement.objects.filter(programme=week).order_by("pk"))
    answered = set(Response.objects.filter(invitation__survey__programme=week).values_list("invitation_id", flat=True))
    for index, placement in enumerate(placements[:before]):
        invitation = pre.invitations.get(placement=placement)
        if invitation.pk not in answered:
            answers = {code: str(values[index]) for code, values in PRE.items()}
            answers["hopes"] = HOPES[index % len(HOPES)]
            response_submit(
                invitation=invitation,
                answers=answers,
                source=Response.Source.PAPER if index in (1, 14) else Response.Source.ONLINE,
                now=min(pre.opens_at + timedelta(days=1, hours=index), now),
            )
    for index, placement in enumerate(placements[:after]):
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
        for number, code in enumerate(outcome_codes):  # most outcomes land; some (the harder ones) less so
            base = OUTCOME_BASE[number % len(OUTCOME_BASE)]
            answers[code] = str(max(1, min(5, base + NUDGE[(index + number * 2) % len(NUDGE)])))
        response_submit(invitation=invitation, answers=answers, now=post.opens_at + timedelta(hours=1 + index))


def _survey_link(week):
    """The link of a student of the finished week who has not answered the after-the-week survey yet."""
    invitation = (
        Invitation.objects.filter(survey__programme=week, survey__phase="post", answered_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if invitation is None:
        return None
    return Link(
        f"Student's survey after the week ({invitation.placement.nomination.full_name})", invitation_path(invitation.pk)
    )
