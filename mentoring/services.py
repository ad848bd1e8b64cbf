"""Writes for career mentoring: put forward, assign, log contacts, remind, end, record outcomes."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation

from core.audit import audit_action
from core.errors import DomainError
from core.languages import language_for_student
from core.models import OutboundEmail
from core.services import email_queue
from placements.models import ForcePerson, Placement

from . import selectors
from .models import MentorAssignment, MentorContact, MentoringReferral, MentoringSettings, MentorReminder, Outcome

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from placements.models import Programme
    from schools.models import Nomination

logger = logging.getLogger(__name__)


class MentoringError(DomainError):
    """A mentoring change that cannot be made; the message is shown to the user."""


MAX_MENTEES_LIMIT = 30
END_AGE_RANGE = (16, 30)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=last_day)
        except ValueError:
            continue
    raise ValueError(day)


def _birthday(date_of_birth: date, age: int) -> date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:  # born on 29 February
        return date(date_of_birth.year + age, 3, 1)


def mentoring_end_date(*, placement: Placement, starts_on: date, end_at_age: int | None = None) -> date:
    """When mentoring that starts on `starts_on` ends: after the programme's months, or at an age if sooner."""
    ends_on = _add_months(starts_on, placement.programme.mentoring_months)
    if end_at_age:
        ends_on = min(ends_on, _birthday(placement.nomination.date_of_birth, end_at_age))
    return ends_on


def next_due_date(*, assignment: MentorAssignment, programme: Programme, last_contact_on: date | None) -> date | None:
    """The next date a contact is due, or None when the next one would fall after mentoring ends."""
    if last_contact_on is None:
        due = assignment.starts_on + timedelta(days=programme.mentor_first_contact_within_days)
    else:
        due = last_contact_on + timedelta(days=programme.mentor_contact_every_days)
    return due if due <= assignment.ends_on else None


def mentee_contact_email(*, nomination: Nomination, on: date) -> str:
    """Where mentoring emails about a student go: their guardian if under 18, else the student."""
    if nomination.age_on(on) < 18:
        return nomination.guardian_email
    return nomination.student_email


@transaction.atomic
def mentoring_referral_create(*, placement: Placement, actor: AbstractBaseUser | None) -> MentoringReferral:
    """The coordinator puts a student forward for a mentor (they did not ask on the survey)."""
    referral, _ = MentoringReferral.objects.get_or_create(placement=placement, defaults={"referred_by": actor})
    return referral


@transaction.atomic
def mentor_assignment_create(
    *, placement: Placement, mentor: ForcePerson, actor: AbstractBaseUser | None, today: date | None = None
) -> MentorAssignment:
    """Assign `mentor` to a consenting student and send both the introduction emails."""
    today = today or timezone.localdate()
    placement = (
        Placement.objects.select_for_update(of=("self",))
        .select_related("programme__force", "nomination")
        .get(pk=placement.pk)
    )
    eligibility = selectors.placement_eligibility(placement=placement)
    if not eligibility.eligible:
        raise MentoringError(eligibility.reason)
    if placement.mentor_assignments.active().exists():
        raise MentoringError("This student already has a mentor.")
    force = placement.programme.force
    mentor = ForcePerson.objects.select_for_update(of=("self",)).select_related("user").get(pk=mentor.pk)
    if mentor.force_id != force.pk or not mentor.is_mentor or not mentor.is_active:
        raise MentoringError("Choose one of your force's mentors.")
    if not mentor.vetting_valid_through(today):
        raise MentoringError(f"{mentor.name}'s vetting is not in date.")
    settings = selectors.mentoring_settings_for(force)
    load = mentor.mentees.active().count()
    if load >= settings.max_mentees_per_mentor:
        raise MentoringError(
            f"{mentor.name} already has {load} mentees, the most allowed ({settings.max_mentees_per_mentor})."
        )
    ends_on = mentoring_end_date(placement=placement, starts_on=today, end_at_age=settings.end_at_age)
    if ends_on <= today:
        raise MentoringError("This student is already past the age at which mentoring ends.")
    assignment = MentorAssignment(
        placement=placement, mentor=mentor, assigned_by=actor, starts_on=today, ends_on=ends_on
    )
    assignment.next_due_on = next_due_date(assignment=assignment, programme=placement.programme, last_contact_on=None)
    assignment.save()
    _send_introductions(assignment=assignment, placement=placement, mentor=mentor, today=today)
    audit_action(actor=actor, action="Mentor assigned", instance=assignment)
    logger.info("Mentor %s assigned to placement %s by user %s", mentor.pk, placement.pk, getattr(actor, "pk", None))
    return assignment


def _send_introductions(
    *, assignment: MentorAssignment, placement: Placement, mentor: ForcePerson, today: date
) -> None:
    nomination = placement.nomination
    context = {
        "assignment": assignment,
        "mentor": mentor,
        "student_first_name": nomination.first_name,
        "student_name": nomination.full_name,
        "programme": placement.programme,
        "force": placement.programme.force,
    }
    mentor_email = mentor.contact_email
    if mentor_email:
        email_queue(
            kind="mentoring_intro_mentor",
            to=mentor_email,
            context=context,
            dedupe_key=f"mentoring-intro-mentor-{assignment.pk}",
            force=placement.programme.force,
            about=[nomination],
        )
    mentee_email = mentee_contact_email(nomination=nomination, on=today)
    if mentee_email:
        _mentee_introduction_queue(assignment, nomination, context, mentee_email, today)


def _mentee_introduction_queue(assignment, nomination, context, mentee_email, today):
    # The family reads it in their language (core.languages), as every email to them.
    with translation.override(language_for_student(nomination)):
        email_queue(
            kind="mentoring_intro_mentee",
            to=mentee_email,
            context={
                **context,
                "to_guardian": nomination.age_on(today) < 18,
                "guardian_name": nomination.guardian_name,
            },
            dedupe_key=f"mentoring-intro-mentee-{assignment.pk}",
            force=nomination.programme.force,
            about=[nomination],
            to_student=True,
        )


@transaction.atomic
def mentor_contact_log(
    *,
    assignment: MentorAssignment,
    contacted_on: date,
    method: str,
    summary: str,
    next_step: str = "",
    sensitive_notes: str = "",
    actor: AbstractBaseUser | None,
    today: date | None = None,
) -> MentorContact:
    """Record a contact with the mentee and move the assignment's next due date on from it."""
    today = today or timezone.localdate()
    assignment = (
        MentorAssignment.objects.select_for_update(of=("self",))
        .select_related("placement__programme")
        .get(pk=assignment.pk)
    )
    if assignment.status != MentorAssignment.Status.ACTIVE:
        raise MentoringError("This mentoring has ended; no more contacts can be logged.")
    if contacted_on > today:
        raise MentoringError("The contact date cannot be in the future.")
    if contacted_on < assignment.starts_on:
        raise MentoringError("The contact date is before this mentoring started.")
    contact = MentorContact.objects.create(
        assignment=assignment,
        contacted_on=contacted_on,
        method=method,
        summary=summary,
        next_step=next_step,
        sensitive_notes=sensitive_notes,
        logged_by=actor,
    )
    last = assignment.contacts.aggregate(last=Max("contacted_on"))["last"]
    assignment.next_due_on = next_due_date(
        assignment=assignment, programme=assignment.placement.programme, last_contact_on=last
    )
    assignment.save(update_fields=["next_due_on"])
    return contact


def _cancel_pending_reminders(assignment: MentorAssignment) -> None:
    """Reminder emails still in the outbox are deleted, so a send already queued finds nothing to send."""
    unsent = OutboundEmail.objects.filter(
        sent_at__isnull=True, dedupe_key__startswith=f"mentoring-reminder-{assignment.pk}-"
    )
    cancelled = list(unsent.values_list("dedupe_key", flat=True))
    if not cancelled:
        return
    unsent.delete()
    for reminder in assignment.reminders.filter(status=MentorReminder.Status.SENT):
        key = _reminder_key(assignment, reminder.due_on, reminder.kind)
        if any(k == key or k.startswith(f"{key}-") for k in cancelled):
            reminder.status = MentorReminder.Status.CANCELLED
            reminder.save(update_fields=["status"])


def _end(assignment: MentorAssignment, *, reason: str, actor: AbstractBaseUser | None) -> None:
    """End mentoring, cancel reminders still queued, and tell the mentor (never why: see below)."""
    assignment.status = MentorAssignment.Status.ENDED
    assignment.ended_at = timezone.now()
    assignment.ended_reason = reason
    assignment.ended_by = actor
    assignment.next_due_on = None
    assignment.save(update_fields=["status", "ended_at", "ended_reason", "ended_by", "next_due_on"])
    _cancel_pending_reminders(assignment)
    mentor_email = assignment.mentor.contact_email
    if mentor_email:
        # The reason is deliberately left out: if a family withdrew consent, that is theirs to explain.
        email_queue(
            kind="mentoring_ended",
            to=mentor_email,
            context={
                "mentor": assignment.mentor,
                "student_name": assignment.placement.nomination.full_name,
                "programme": assignment.placement.programme,
            },
            dedupe_key=f"mentoring-ended-{assignment.pk}",
            force=assignment.placement.programme.force,
            about=[assignment.placement.nomination],
        )


@transaction.atomic
def mentoring_end_for_consent_withdrawal(*, placement: Placement, actor: AbstractBaseUser | None) -> int:
    """End a student's mentoring at once because consent was withdrawn; the mentor is told, not why.

    Safe to call more than once (and with no mentoring at all): returns how many assignments ended.
    """
    assignments = list(
        MentorAssignment.objects.select_for_update(of=("self",))
        .filter(placement=placement, status=MentorAssignment.Status.ACTIVE)
        .select_related("mentor__user", "placement__nomination", "placement__programme__force")
    )
    for assignment in assignments:
        _end(assignment, reason=MentorAssignment.EndReason.CONSENT_WITHDRAWN, actor=actor)
        logger.info("Mentoring %s ended: consent withdrawn (user %s)", assignment.pk, getattr(actor, "pk", None))
    return len(assignments)


def end_mentoring_on_consent_withdrawn(sender: type, *, consent: Any, items: frozenset[str], **kwargs: Any) -> None:
    """Receiver of `schools.signals.consent_withdrawn`: no participation or no mentor contact ends mentoring."""
    if items & {"participation", "mentoring_contact"}:
        for placement in Placement.objects.filter(nomination_id=consent.nomination_id):
            mentoring_end_for_consent_withdrawal(placement=placement, actor=None)


@transaction.atomic
def mentor_assignment_end(*, assignment: MentorAssignment, actor: AbstractBaseUser | None) -> MentorAssignment:
    """The coordinator ends a student's mentoring early (the student moved on, the mentor left …)."""
    assignment = (
        MentorAssignment.objects.select_for_update(of=("self",))
        .select_related("mentor__user", "placement__nomination", "placement__programme__force")
        .get(pk=assignment.pk)
    )
    if assignment.status != MentorAssignment.Status.ACTIVE:
        raise MentoringError("This mentoring has already ended.")
    _end(assignment, reason=MentorAssignment.EndReason.COORDINATOR, actor=actor)
    audit_action(actor=actor, action="Mentoring ended early", instance=assignment)
    return assignment


@transaction.atomic
def outcome_record(
    *,
    placement: Placement,
    milestone: str,
    occurred_on: date,
    note: str = "",
    actor: AbstractBaseUser | None,
    today: date | None = None,
) -> Outcome:
    """Record (or re-date) a milestone on a former student's path."""
    today = today or timezone.localdate()
    if occurred_on > today:
        raise MentoringError("The date of a milestone cannot be in the future.")
    if occurred_on < placement.programme.start_date:
        raise MentoringError("The milestone is dated before the student's programme began.")
    outcome, _ = Outcome.objects.update_or_create(
        placement=placement,
        milestone=milestone,
        defaults={"occurred_on": occurred_on, "note": note, "recorded_by": actor},
    )
    return outcome


# --- the daily job -------------------------------------------------------------------------


def _reminder_key(assignment: MentorAssignment, due_on: date, kind: str) -> str:
    """The outbox dedupe key of a reminder; escalations add the coordinator's id after it."""
    return f"mentoring-reminder-{assignment.pk}-{due_on.isoformat()}-{kind}"


def mentor_reminders_send_for(*, assignment_id: int, today: date) -> int:
    """Send whatever reminders are owed for one assignment's current due date, each exactly once.

    The assignment row is locked and every reminder is a row with a unique (assignment, due_on,
    kind), so two runs at once, or a second run on the same day, find the work already done; a run
    after days without one catches up by sending what is owed now (only the latest mentor reminder).
    Returns the number of emails queued.
    """
    with transaction.atomic():
        assignment = (
            MentorAssignment.objects.select_for_update(of=("self",))
            .filter(pk=assignment_id, status=MentorAssignment.Status.ACTIVE, next_due_on__lte=today)
            .select_related("mentor__user", "placement__nomination", "placement__programme__force")
            .first()
        )
        if assignment is None:
            return 0
        due_on = assignment.next_due_on
        days_overdue = (today - due_on).days
        owed = [kind for kind in MentorReminder.OFFSETS if kind in _owed_kinds(due_on, today)]
        done = set(assignment.reminders.filter(due_on=due_on).values_list("kind", flat=True))
        missing = [kind for kind in owed if kind not in done]
        if not missing:
            return 0
        mentor_kinds = [k for k in missing if k != MentorReminder.Kind.ESCALATION]
        latest_mentor_kind = mentor_kinds[-1] if mentor_kinds else None
        programme = assignment.placement.programme
        context = {
            "assignment": assignment,
            "mentor": assignment.mentor,
            "student_name": assignment.placement.nomination.full_name,
            "programme": programme,
            "due_on": due_on,
            "days_overdue": days_overdue,
        }
        queued = 0
        for kind in missing:
            status = MentorReminder.Status.SENT
            if kind == MentorReminder.Kind.ESCALATION:
                sent = _send_escalation(assignment=assignment, context=context)
                queued += sent
                status = MentorReminder.Status.SENT if sent else MentorReminder.Status.NO_ADDRESS
            elif kind != latest_mentor_kind:
                status = MentorReminder.Status.SUPERSEDED
            else:
                to = assignment.mentor.contact_email
                if to:
                    email_queue(
                        kind=f"mentoring_reminder_{kind}",
                        to=to,
                        context=context,
                        dedupe_key=_reminder_key(assignment, due_on, kind),
                        force=programme.force,
                        about=[assignment.placement.nomination],
                    )
                    queued += 1
                else:
                    status = MentorReminder.Status.NO_ADDRESS
            MentorReminder.objects.create(assignment=assignment, due_on=due_on, kind=kind, status=status)
        return queued


def _send_escalation(*, assignment: MentorAssignment, context: dict[str, Any]) -> int:
    force = assignment.placement.programme.force
    key = _reminder_key(assignment, context["due_on"], MentorReminder.Kind.ESCALATION)
    sent = 0
    for coordinator in ForcePerson.objects.for_force(force).coordinators_to_email():
        email_queue(
            kind="mentoring_escalation",
            to=coordinator.contact_email,
            context={**context, "coordinator": coordinator},
            dedupe_key=f"{key}-{coordinator.pk}",
            force=force,
            about=[assignment.placement.nomination],
        )
        sent += 1
    return sent


def _owed_kinds(due_on: date, today: date) -> set[str]:
    return {kind for kind, offset in MentorReminder.OFFSETS.items() if (today - due_on).days >= offset}


def _assignments_owed_reminders(today: date) -> list[int]:
    """Active assignments with a reminder owed that has no row yet (two queries; each is re-checked under lock)."""
    due = MentorAssignment.objects.active().filter(next_due_on__lte=today)
    done = {}
    for assignment_id, kind in MentorReminder.objects.filter(
        assignment__in=due, due_on=F("assignment__next_due_on")
    ).values_list("assignment_id", "kind"):
        done.setdefault(assignment_id, set()).add(kind)
    return [
        pk
        for pk, due_on in due.values_list("pk", "next_due_on")
        if not _owed_kinds(due_on, today) <= done.get(pk, set())
    ]


def mentoring_daily(*, today: date | None = None) -> dict[str, int]:
    """The daily job: end mentoring whose consent has gone or whose time is up, then send reminders."""
    today = today or timezone.localdate()
    ended_for_consent = 0
    for placement in selectors.placements_with_lapsed_consent():
        ended_for_consent += mentoring_end_for_consent_withdrawal(placement=placement, actor=None)
    ended_for_time = 0
    for assignment in MentorAssignment.objects.active().filter(ends_on__lt=today):
        with transaction.atomic():
            locked = (
                MentorAssignment.objects.select_for_update(of=("self",))
                .select_related("mentor__user", "placement__nomination", "placement__programme__force")
                .filter(pk=assignment.pk)
                .active()
                .first()
            )
            if locked is not None:
                _end(locked, reason=MentorAssignment.EndReason.PERIOD_OVER, actor=None)
                ended_for_time += 1
    queued = 0
    for assignment_id in _assignments_owed_reminders(today):
        queued += mentor_reminders_send_for(assignment_id=assignment_id, today=today)
    return {"ended_for_consent": ended_for_consent, "ended_for_time": ended_for_time, "emails_queued": queued}


@transaction.atomic
def mentoring_settings_update(
    *, force, max_mentees_per_mentor: int, end_at_age: int | None, actor: AbstractBaseUser | None
) -> MentoringSettings:
    """Set the force's mentor load and optional end age. Mentoring already under way keeps its end date;
    a mentor above a lowered maximum keeps their mentees but is offered no more."""
    if not 1 <= max_mentees_per_mentor <= MAX_MENTEES_LIMIT:
        raise MentoringError(f"Give a number from 1 to {MAX_MENTEES_LIMIT}.", field="max_mentees_per_mentor")
    if end_at_age is not None and not END_AGE_RANGE[0] <= end_at_age <= END_AGE_RANGE[1]:
        raise MentoringError(
            f"Give an age from {END_AGE_RANGE[0]} to {END_AGE_RANGE[1]}, or leave it blank for no age limit.",
            field="end_at_age",
        )
    settings, _ = MentoringSettings.objects.select_for_update().get_or_create(force=force)
    before = (settings.max_mentees_per_mentor, settings.end_at_age)
    settings.max_mentees_per_mentor, settings.end_at_age = max_mentees_per_mentor, end_at_age
    settings.save()
    if before != (max_mentees_per_mentor, end_at_age):
        audit_action(
            actor=actor,
            action="Mentoring settings changed",
            instance=settings,
            max_mentees=max_mentees_per_mentor,
            was_max_mentees=before[0],
            end_age=end_at_age,
            was_end_age=before[1],
        )
    return settings
