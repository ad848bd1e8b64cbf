"""Writes for the week: syndicates, timetable, contingency swaps, attendance and budget.

Every service takes keyword-only arguments and an `actor`, runs in one transaction and raises
PlanningError (the app's one domain error) with a message fit to show the coordinator.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_action
from core.services import email_queue

from . import planning
from .models import (
    Activity,
    Attendance,
    BudgetLine,
    DepartmentUnavailability,
    ForcePerson,
    Placement,
    PlanningHours,
    Programme,
    Session,
    SpendEntry,
    Syndicate,
)
from .planning import PlanningError

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from .models import Department

logger = logging.getLogger(__name__)

__all__ = ["PlanningError"]


# --- syndicates -------------------------------------------------------------------------------


@transaction.atomic
def syndicates_build(
    *, programme: Programme, size: int = 4, leads: Iterable[ForcePerson], actor: AbstractBaseUser | None
) -> planning.SyndicatePlan:
    """Rebuild the programme's unlocked syndicates from its confirmed placements; returns the plan."""
    Programme.objects.select_for_update().get(pk=programme.pk)
    locked = list(programme.syndicates.filter(is_locked=True))
    locked_ids = {s.pk for s in locked}
    locked_leads = {s.lead_id for s in locked if s.lead_id}
    placements = list(
        Placement.objects.for_programme(programme)
        .active()
        .exclude(syndicate__in=locked_ids)
        .select_related("nomination")
    )
    students = [
        planning.StudentRecord(
            id=p.pk,
            institution=p.nomination.institution_id,
            has_support_needs=bool(p.nomination.support_needs.strip()),
            gender=p.nomination.gender,
        )
        for p in placements
    ]
    lead_records = [
        planning.LeadRecord(id=person.pk, name=person.name, vetting_expires_on=person.vetting_expires_on)
        for person in leads
        if person.force_id == programme.force_id and person.is_active and person.pk not in locked_leads
    ]
    plan = planning.build_syndicates(
        students,
        size=size,
        leads=lead_records,
        start=programme.start_date,
        end=programme.end_date,
        today=timezone.localdate(),
    )
    programme.syndicates.filter(is_locked=False).delete()
    taken = {s.name for s in locked}
    number = 0
    for group, lead_id in zip(plan.groups, plan.leads, strict=True):
        number += 1
        while f"Syndicate {number}" in taken:
            number += 1
        syndicate = Syndicate.objects.create(programme=programme, name=f"Syndicate {number}", lead_id=lead_id)
        Placement.objects.filter(pk__in=group).update(syndicate=syndicate)
    audit_action(actor=actor, action="Syndicates built", instance=programme, syndicates=len(plan.groups))
    return plan


def _check_lead(programme: Programme, lead: ForcePerson | None) -> None:
    if lead is None:
        return
    if lead.force_id != programme.force_id or not lead.is_active:
        raise PlanningError("That person is not an active member of this force.")
    if not lead.vetting_valid_through(programme.end_date):
        expiry = f"{lead.vetting_expires_on:%d %b %Y}" if lead.vetting_expires_on else "not recorded"
        raise PlanningError(f"{lead.name}'s vetting ({expiry}) is not in date for the whole programme.")


@transaction.atomic
def syndicate_update(
    *, syndicate: Syndicate, lead: ForcePerson | None, is_locked: bool, actor: AbstractBaseUser | None
) -> Syndicate:
    """Set a syndicate's lead (vetting must cover the programme) and its lock."""
    _check_lead(syndicate.programme, lead)
    syndicate.lead = lead
    syndicate.is_locked = is_locked
    syndicate.save(update_fields=["lead", "is_locked"])
    audit_action(
        actor=actor,
        action="Syndicate lead or lock changed",
        instance=syndicate,
        lead=getattr(lead, "pk", None),
        locked=is_locked,
    )
    return syndicate


@transaction.atomic
def placement_move(*, placement: Placement, syndicate: Syndicate | None, actor: AbstractBaseUser | None) -> Placement:
    """Move a student into another syndicate of the same programme."""
    if syndicate is not None and syndicate.programme_id != placement.programme_id:
        raise PlanningError("A student can only move to a syndicate of their own programme.")
    if placement.syndicate is not None and placement.syndicate.is_locked:
        raise PlanningError(f"{placement.syndicate.name} is locked: unlock it before moving its students.")
    if syndicate is not None and syndicate.is_locked:
        raise PlanningError(f"{syndicate.name} is locked: unlock it before moving students in.")
    placement.syndicate = syndicate
    placement.save(update_fields=["syndicate"])
    audit_action(
        actor=actor,
        action="Student moved to another syndicate",
        instance=placement,
        syndicate=getattr(syndicate, "pk", None),
    )
    return placement


# --- timetable --------------------------------------------------------------------------------


def activity_record(activity: Activity) -> planning.ActivityRecord:
    return planning.ActivityRecord(
        id=activity.pk,
        title=activity.title,
        kind=activity.kind,
        department=activity.department_id,
        capacity=activity.syndicate_capacity,
        duration_minutes=activity.duration_minutes,
    )


def _naive(value: datetime) -> datetime:
    return timezone.make_naive(value) if timezone.is_aware(value) else value


def _unavailable(programme: Programme, departments: Iterable[int]) -> list[planning.Unavailable]:
    rows = DepartmentUnavailability.objects.filter(
        department__in=departments,
        starts_at__date__lte=programme.end_date,
        ends_at__date__gte=programme.start_date,
    )
    return [planning.Unavailable(u.department_id, _naive(u.starts_at), _naive(u.ends_at)) for u in rows]


@transaction.atomic
def timetable_generate(
    *, programme: Programme, activities: Iterable[Activity], actor: AbstractBaseUser | None
) -> list[planning.PlannedSession]:
    """Replace the programme's timetable with a generated one; raises PlanningError naming the broken rule."""
    Programme.objects.select_for_update().get(pk=programme.pk)
    activities = [a for a in activities if a.force_id == programme.force_id]
    syndicates = list(programme.syndicates.all())
    records = [planning.SyndicateRecord(id=s.pk, name=s.name, lead=s.lead_id) for s in syndicates]
    departments = {a.department_id for a in activities if a.department_id}
    planned = planning.generate_timetable(
        days=programme.days,
        activities=[activity_record(a) for a in activities],
        syndicates=records,
        unavailable=_unavailable(programme, departments),
    )
    programme.sessions.all().delete()
    tz = timezone.get_current_timezone()
    through = Session.syndicates.through
    links = []
    for item in planned:
        session = Session.objects.create(
            programme=programme,
            activity_id=item.activity,
            starts_at=timezone.make_aware(item.starts_at, tz),
            ends_at=timezone.make_aware(item.ends_at, tz),
        )
        links.extend(through(session_id=session.pk, syndicate_id=s) for s in item.syndicates)
    through.objects.bulk_create(links)
    audit_action(actor=actor, action="Timetable generated", instance=programme, sessions=len(planned))
    return planned


def contingency_candidates(*, session: Session) -> list[Activity]:
    """Contingency activities that fit a session's slot and its syndicates (read, for the swap form)."""
    programme = session.programme
    others = (
        programme.sessions.filter(status=Session.Status.PLANNED)
        .exclude(pk=session.pk)
        .select_related("activity")
        .prefetch_related("syndicates")
    )
    scheduled = [
        planning.ScheduledSession(
            activity=s.activity_id,
            department=s.activity.department_id,
            starts_at=_naive(s.starts_at),
            ends_at=_naive(s.ends_at),
            syndicates=tuple(x.pk for x in s.syndicates.all()),
        )
        for s in others
    ]
    cancelled = planning.ScheduledSession(
        activity=session.activity_id,
        department=session.activity.department_id,
        starts_at=_naive(session.starts_at),
        ends_at=_naive(session.ends_at),
        syndicates=tuple(s.pk for s in session.syndicates.all()),
    )
    candidates = list(
        Activity.objects.filter(force=programme.force, is_contingency=True, is_active=True).exclude(
            pk=session.activity_id
        )
    )
    departments = {a.department_id for a in candidates if a.department_id}
    fitting = planning.contingency_options(
        cancelled=cancelled,
        candidates=[activity_record(a) for a in candidates],
        sessions=scheduled,
        syndicates=list(programme.syndicates.values_list("pk", flat=True)),
        unavailable=_unavailable(programme, departments),
    )
    by_id = {a.pk: a for a in candidates}
    return [by_id[record.id] for record in fitting]


@transaction.atomic
def session_replace(*, session: Session, activity: Activity, actor: AbstractBaseUser | None) -> Session:
    """Cancel a session and run a contingency activity in its slot; the affected leads are emailed."""
    session = Session.objects.select_for_update().select_related("programme__force", "activity").get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        raise PlanningError("That session is already cancelled.")
    if activity not in contingency_candidates(session=session):
        raise PlanningError(f"“{activity.title}” does not fit this slot or these syndicates.")
    syndicates = list(session.syndicates.select_related("lead"))
    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status"])
    replacement = Session.objects.create(
        programme=session.programme,
        activity=activity,
        starts_at=session.starts_at,
        ends_at=session.starts_at + _duration(activity, session),
        replaces=session,
    )
    replacement.syndicates.set(syndicates)
    for syndicate in syndicates:
        lead = syndicate.lead
        if lead is None or not lead.email:
            continue
        email_queue(
            kind="session_replaced",
            to=lead.email,
            context={
                "lead_name": lead.name,
                "syndicate": syndicate.name,
                "programme": session.programme.title,
                "cancelled": session.activity.title,
                "replacement": activity.title,
                "venue": activity.venue,
                "starts_at": timezone.localtime(replacement.starts_at),
                "ends_at": timezone.localtime(replacement.ends_at),
            },
            dedupe_key=f"session-replaced:{session.pk}:{syndicate.pk}",
            force=session.programme.force,
        )
    audit_action(
        actor=actor, action="Session replaced", instance=replacement, replaced_session=session.pk, activity=activity.pk
    )
    return replacement


def _duration(activity: Activity, session: Session) -> timedelta:
    return min(timedelta(minutes=activity.duration_minutes), session.ends_at - session.starts_at)


# --- attendance -------------------------------------------------------------------------------


def attendance_mark(
    *, placement: Placement, day: date, status: str, arrived_at: time | None = None, actor: AbstractBaseUser | None
) -> Attendance:
    """Record (or correct) a student's attendance for a day: one row per student and day, never two."""
    if day not in placement.programme.days:
        raise PlanningError("That is not a day of the programme.")
    if status not in Attendance.Status.values:
        raise PlanningError("Choose present, late or absent.")
    if status == Attendance.Status.LATE and arrived_at is None:
        arrived_at = timezone.localtime().time().replace(second=0, microsecond=0)
    if status == Attendance.Status.ABSENT:
        arrived_at = None
    values = {"status": status, "arrived_at": arrived_at, "marked_by": actor}
    for _ in range(2):
        try:
            with transaction.atomic():
                row, _created = Attendance.objects.update_or_create(placement=placement, date=day, defaults=values)
                return row
        except IntegrityError:
            # Two taps raced to create the same day's row: the second attempt updates it.
            continue
    raise PlanningError("Could not save the register; please try again.")


def attendance_cutoff() -> time:
    hour, minute = (int(part) for part in settings.ATTENDANCE_ALERT_AT.split(":"))
    return time(hour, minute)


@transaction.atomic
def attendance_alert(*, programme: Programme, day: date) -> int:
    """Tell the coordinators who is not marked present by the cut-off (once per programme and day)."""
    placements = list(
        Placement.objects.for_programme(programme).active().select_related("nomination", "syndicate").order_by("id")
    )
    marks = dict(Attendance.objects.filter(placement__in=placements, date=day).values_list("placement_id", "status"))
    here = {Attendance.Status.PRESENT, Attendance.Status.LATE}
    missing = [p for p in placements if marks.get(p.pk) not in here]
    if not missing:
        return 0
    coordinators = ForcePerson.objects.for_force(programme.force_id).coordinators_to_email()
    rows = [
        {
            "name": p.nomination.full_name,
            "syndicate": p.syndicate.name if p.syndicate else "no syndicate",
            "status": "marked absent" if marks.get(p.pk) == Attendance.Status.ABSENT else "not marked",
        }
        for p in missing
    ]
    sent = 0
    for person in coordinators:
        email_queue(
            kind="attendance_missing",
            to=person.contact_email,
            context={
                "coordinator": person.name,
                "programme": programme.title,
                "programme_id": programme.pk,
                "day": day,
                "cutoff": attendance_cutoff(),
                "students": rows,
            },
            dedupe_key=f"attendance-missing:{programme.pk}:{day.isoformat()}:{person.pk}",
            force=programme.force,
            about=[p.nomination for p in missing],
        )
        sent += 1
    return sent


# --- budget -----------------------------------------------------------------------------------


@transaction.atomic
def spend_entry_add(
    *, programme: Programme, category: str, day: date, amount: Decimal | None, note: str, actor: AbstractBaseUser | None
) -> SpendEntry:
    """Record spend in a category and add it to the category's actual (kept if entered by hand before)."""
    if amount is None or amount <= 0:
        raise PlanningError("Spend must be more than £0.")
    if category not in BudgetLine.Category.values:
        raise PlanningError("Choose a budget category.")
    line, _ = BudgetLine.objects.select_for_update().get_or_create(programme=programme, category=category)
    entry = SpendEntry.objects.create(budget_line=line, date=day, amount=amount, note=note, recorded_by=actor)
    line.actual += amount
    line.save(update_fields=["actual"])
    audit_action(actor=actor, action="Spend recorded", instance=entry, amount=str(amount))
    return entry


@transaction.atomic
def planning_hours_set(
    *, programme: Programme, department: Department, hours: Decimal, actor: AbstractBaseUser | None
) -> PlanningHours:
    """Set the hours a department spent planning the programme."""
    if department.force_id != programme.force_id:
        raise PlanningError("That department is not part of this force.")
    if hours < 0:
        raise PlanningError("Hours cannot be negative.")
    row, _ = PlanningHours.objects.update_or_create(
        programme=programme, department=department, defaults={"hours": hours}
    )
    audit_action(actor=actor, action="Planning hours set", instance=row, hours=str(hours))
    return row


@transaction.atomic
def lead_vetting_warn(*, today: date) -> int:
    """Email the coordinators when a syndicate lead's vetting is 60, 30 or 7 days from expiry (once per band)."""
    syndicates = (
        Syndicate.objects.filter(programme__in=Programme.objects.active(), programme__end_date__gte=today)
        .exclude(lead=None)
        .select_related("lead", "programme__force")
        .order_by("lead_id", "programme__start_date")
    )
    warned = 0
    coordinators_of = {}  # force id -> its coordinators, looked up once per force, not per syndicate
    for syndicate in syndicates:
        lead = syndicate.lead
        band = planning.vetting_warning(lead.vetting_expires_on, today=today)
        if band is None:
            continue
        programme = syndicate.programme
        if programme.force_id not in coordinators_of:
            coordinators_of[programme.force_id] = ForcePerson.objects.for_force(
                programme.force_id
            ).coordinators_to_email()
        for coordinator in coordinators_of[programme.force_id]:
            email_queue(
                kind="lead_vetting_expiring",
                to=coordinator.contact_email,
                context={
                    "coordinator": coordinator.name,
                    "lead": lead.name,
                    "expires_on": lead.vetting_expires_on,
                    "band": band,
                    "syndicate": syndicate.name,
                    "programme": programme.title,
                    "programme_id": programme.pk,
                    "lapses_during_programme": not lead.vetting_valid_through(programme.end_date),
                },
                dedupe_key=f"lead-vetting:{syndicate.pk}:{lead.pk}:{lead.vetting_expires_on}:{band}:{coordinator.pk}",
                force=programme.force,
            )
            warned += 1
    return warned
