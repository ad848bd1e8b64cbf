"""Demo mentoring for the finished demo school week: consenting students with mentors, contacts logged at
different paces (some on time, some overdue), one ended early, and a few milestones.

Contact dates are worked out from today, so the demo always shows a mix of due and overdue.
Idempotent: a placement that already has mentoring is left alone.
"""

from datetime import timedelta

from django.utils import timezone

from placements.models import ForcePerson, Placement, Programme

from . import selectors
from .models import MentorAssignment, MentorContact, MentoringReferral, MentoringSettings, Outcome
from .services import mentoring_end_date, next_due_date

# Mentoring starts on the Monday after the week.
STARTS_AFTER = timedelta(days=3)
# Per assignment: days before today that the mentor stopped making contact (None: never made one).
PACES = [0, 3, 45, 8, None, 20, 0, 33, 12, 2]
ENDED_INDEX = 7  # ended early by the coordinator
SUMMARIES = [
    ("phone", "Talked through the week and what they enjoyed most.", "Send details of the local cadet unit."),
    ("email", "Sent information on volunteer police cadets; they replied with questions.", "Call to answer them."),
    ("video", "Discussed GCSE options and which subjects help in policing careers.", "Look at the open day."),
    ("in_person", "Met at the school careers fair.", "Check in after their exams."),
]
OUTCOMES = [
    (0, Outcome.Milestone.JOINED_CADETS, 40),
    (1, Outcome.Milestone.JOINED_CADETS, 60),
    (3, Outcome.Milestone.OTHER_CAREER, 20),
    (6, Outcome.Milestone.JOINED_SPECIALS, 15),
]


def seed(*, force, story):
    week = Programme.objects.filter(force=force, title=story.completed.title).first()
    if week is None:
        return []
    today = timezone.localdate()
    settings, _ = MentoringSettings.objects.get_or_create(force=force, defaults={"max_mentees_per_mentor": 6})
    coordinator = ForcePerson.objects.filter(force=force, is_coordinator=True, user__isnull=False).first()
    actor = coordinator.user if coordinator else None
    mentors = list(ForcePerson.objects.filter(force=force, is_mentor=True, user__username__in=["mentor", "mentor2"]))
    mentors.sort(key=lambda p: p.user.username)
    if not mentors:
        return []

    placements = selectors.with_eligibility(Placement.objects.filter(programme=week)).select_related(
        "nomination", "programme"
    )
    consenting = [p for p in placements.order_by("pk") if p.consent_ok]
    for placement in consenting:
        if not placement.asked_for_mentor:
            MentoringReferral.objects.get_or_create(placement=placement, defaults={"referred_by": actor})
    # Two consenting students are left for the coordinator to assign.
    to_assign = consenting[: max(len(consenting) - 2, 0)]
    starts_on = week.end_date + STARTS_AFTER
    for index, placement in enumerate(to_assign):
        if MentorAssignment.objects.filter(placement=placement).exists():
            continue
        _seed_assignment(placement, mentors[index % len(mentors)], index, today, starts_on, settings, actor)
    for index, milestone, days_ago in OUTCOMES:
        if index < len(to_assign):
            Outcome.objects.get_or_create(
                placement=to_assign[index],
                milestone=milestone,
                defaults={"occurred_on": today - timedelta(days=days_ago), "recorded_by": actor},
            )
    return []


def _seed_assignment(placement, mentor, index, today, starts_on, settings, actor):
    ends_on = mentoring_end_date(placement=placement, starts_on=starts_on, end_at_age=settings.end_at_age)
    assignment = MentorAssignment(
        placement=placement, mentor=mentor, assigned_by=actor, starts_on=starts_on, ends_on=ends_on
    )
    pace = PACES[index % len(PACES)]
    programme = placement.programme
    contact_days = []
    if pace is not None:
        day = starts_on + timedelta(days=10)
        while day <= today - timedelta(days=pace):
            contact_days.append(day)
            day += timedelta(days=programme.mentor_contact_every_days)
    assignment.next_due_on = next_due_date(
        assignment=assignment, programme=programme, last_contact_on=contact_days[-1] if contact_days else None
    )
    if index == ENDED_INDEX:
        assignment.status = MentorAssignment.Status.ENDED
        assignment.ended_reason = MentorAssignment.EndReason.COORDINATOR
        assignment.ended_at = timezone.now() - timedelta(days=9)
        assignment.ended_by = actor
        assignment.next_due_on = None
    assignment.save()
    for number, day in enumerate(contact_days):
        method, summary, next_step = SUMMARIES[(index + number) % len(SUMMARIES)]
        MentorContact.objects.create(
            assignment=assignment,
            contacted_on=day,
            method=method,
            summary=summary,
            next_step=next_step,
            sensitive_notes="Mentioned worries at home; suggested talking to the school's pastoral lead."
            if index == 2 and number == 1
            else "",
            logged_by=mentor.user,
        )
