"""Writes for programmes and their week: set-up and copy, syndicates, timetable, contingency swaps,
attendance, activities and budget.

Every service takes keyword-only arguments and an `actor`, runs in one transaction and raises
PlanningError (the app's one domain error) with a message fit to show the coordinator.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.scoping import roles_changed
from core.audit import audit_action
from core.invitations import (
    account_create,
    email_has_account,
    invitation_by_pk,
    invitation_by_token,
    invitation_complete,
    invitation_email_matches,
    invitation_locked,
    invitation_pending,
)
from core.languages import language_valid
from core.links import link_marker, link_token, new_token_salt, token_hash
from core.services import email_queue

from . import hooks, planning, signals
from .models import (
    ACTIVITY_FIELDS,
    Activity,
    Attendance,
    BudgetLine,
    Department,
    DepartmentUnavailability,
    Force,
    ForcePerson,
    ForcePersonInvitation,
    LearningOutcome,
    Placement,
    PlanningHours,
    Programme,
    Session,
    SpendEntry,
    Syndicate,
)
from .planning import PlanningError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

__all__ = ["PlanningError"]


# --- programmes: set-up, copy, status ---------------------------------------------------------

# The details a coordinator sets; `force` comes from who they are and `status` from the dates.
PROGRAMME_FIELDS = (
    "kind",
    "title",
    "start_date",
    "end_date",
    "capacity",
    "nomination_opens",
    "nomination_closes",
    "reserved_send_places",
    "max_per_institution",
    "min_age",
    "max_age",
    "attendance_threshold_pct",
    "mentor_first_contact_within_days",
    "mentor_contact_every_days",
    "mentoring_months",
)
COPY_DATE_FIELDS = ("start_date", "end_date", "nomination_opens", "nomination_closes")


def _check_programme(programme: Programme) -> None:
    """The model's rules (the check constraints, in words) as a PlanningError on the first field at fault."""
    try:
        programme.full_clean(exclude=["force"])
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        raise PlanningError(problems[0], field=None if field == NON_FIELD_ERRORS else field) from None


def _details(details: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(details) - set(PROGRAMME_FIELDS)
    if unknown:
        raise PlanningError(f"Not a programme detail: {', '.join(sorted(unknown))}.")
    return dict(details)


def programme_status_refresh(*, programme: Programme, today: date) -> bool:
    """Store the stage the programme is in today (see Programme.stage_on); True if it changed."""
    facts = hooks.selection_facts([programme.pk]).get(programme.pk, hooks.SelectionFacts())
    stage = programme.stage_on(today, offers_made=facts.offers_made, offers_awaiting=facts.offers_awaiting)
    if stage == programme.status:
        return False
    programme.status = stage
    programme.save(update_fields=["status", "updated_at"])
    return True


@transaction.atomic
def programme_statuses_refresh(*, today: date) -> int:
    """Beat (daily): move every open programme to the stage its dates and offers put it in; returns how many moved.

    Idempotent: a second run on the same day finds nothing to change. Cancelled and completed
    programmes stay as they are (an edit of a completed programme's dates refreshes it itself).
    """
    done = [Programme.Status.CANCELLED, Programme.Status.COMPLETED]
    programmes = list(Programme.objects.exclude(status__in=done).only("pk", "status", *COPY_DATE_FIELDS))
    facts = hooks.selection_facts(p.pk for p in programmes)
    changed = []
    for programme in programmes:
        found = facts.get(programme.pk, hooks.SelectionFacts())
        stage = programme.stage_on(today, offers_made=found.offers_made, offers_awaiting=found.offers_awaiting)
        if stage != programme.status:
            programme.status = stage
            changed.append(programme)
    Programme.objects.bulk_update(changed, ["status"])
    return len(changed)


def _planned_lines(programme: Programme, planned_budget: Mapping[str, Decimal | None]) -> list[BudgetLine]:
    lines = []
    for category, amount in planned_budget.items():
        if category not in BudgetLine.Category.values:
            raise PlanningError("Choose a budget category.")
        if amount is None:
            continue
        if amount < 0:
            raise PlanningError("A planned amount cannot be below £0.", field=f"budget_{category}")
        lines.append(BudgetLine(programme=programme, category=category, planned=amount))
    return lines


@transaction.atomic
def programme_create(
    *,
    force: Force,
    details: Mapping[str, Any],
    planned_budget: Mapping[str, Decimal | None] | None = None,
    actor: AbstractBaseUser | None,
) -> Programme:
    """Start a programme of the force, with its planned budget by category; its status follows from the dates."""
    programme = Programme(force=force, **_details(details))
    _check_programme(programme)
    programme.save()
    lines = _planned_lines(programme, planned_budget or {})
    BudgetLine.objects.bulk_create(lines)
    programme_status_refresh(programme=programme, today=timezone.localdate())
    audit_action(actor=actor, action="Programme created", instance=programme, budget_lines=len(lines))
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, details: Mapping[str, Any], actor: AbstractBaseUser | None) -> Programme:
    """Change a programme's details; refused once it is cancelled, or below the places already filled."""
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    if programme.status == Programme.Status.CANCELLED:
        raise PlanningError("This programme is cancelled, so its details can no longer be changed.", status=409)
    details = _details(details)
    changed = sorted(name for name, value in details.items() if getattr(programme, name) != value)
    for name, value in details.items():
        setattr(programme, name, value)
    _check_programme(programme)
    _linked_weeks_keep_window(programme, changed)
    placed = Placement.objects.for_programme(programme).active().count()
    if programme.capacity < placed:
        raise PlanningError(
            f"{placed} students already have places, so the programme needs at least {placed}.", field="capacity"
        )
    programme.save()
    programme_status_refresh(programme=programme, today=timezone.localdate())
    audit_action(actor=actor, action="Programme details changed", instance=programme, fields=changed)
    return programme


def _linked_weeks_keep_window(programme: Programme, changed: list[str]) -> None:
    """Linked weeks share one nomination window: a change on one week moves it for all of them."""
    if not programme.week_group_id or not {"nomination_opens", "nomination_closes"} & set(changed):
        return
    others = (
        Programme.objects.select_for_update().filter(week_group_id=programme.week_group_id).exclude(pk=programme.pk)
    )
    earliest = min((week.start_date for week in others), default=programme.start_date)
    if programme.nomination_closes > earliest:
        raise PlanningError(
            "This week is linked with others that share its nomination window: nominations must close by the "
            f"first day of the earliest week ({earliest:%-d %B %Y}).",
            field="nomination_closes",
        )
    others.update(nomination_opens=programme.nomination_opens, nomination_closes=programme.nomination_closes)


@transaction.atomic
def programme_cancel(*, programme: Programme, actor: AbstractBaseUser | None) -> Programme:
    """Cancel a programme for good: no more nominations, offers or certificates; it stays on record."""
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    if programme.status == Programme.Status.CANCELLED:
        raise PlanningError("This programme is already cancelled.", status=409)
    if programme.end_date < timezone.localdate():
        raise PlanningError("This programme has finished, so it can no longer be cancelled.", status=409)
    programme.status = Programme.Status.CANCELLED
    programme.save(update_fields=["status", "updated_at"])
    audit_action(
        actor=actor,
        action="Programme cancelled",
        instance=programme,
        placements=Placement.objects.for_programme(programme).active().count(),
    )
    return programme


def copy_dates(source: Programme) -> dict[str, date]:
    """Suggested dates for next year's copy: the same weekdays, a whole number of weeks (about a year) later."""
    try:
        year_later = source.start_date.replace(year=source.start_date.year + 1)
    except ValueError:  # 29 February
        year_later = source.start_date + timedelta(days=365)
    shift = timedelta(weeks=round((year_later - source.start_date).days / 7))
    return {name: getattr(source, name) + shift for name in COPY_DATE_FIELDS}


def copy_title(source: Programme, start_date: date) -> str:
    """The source's title with its year moved on ("… 2026" → "… 2027"), or "(copy)" if it names no year."""
    old, new = str(source.start_date.year), str(start_date.year)
    if old in source.title and old != new:
        return source.title.replace(old, new)
    return f"{source.title} (copy)"[:200]


@transaction.atomic
def programme_copy(
    *,
    source: Programme,
    title: str,
    start_date: date,
    end_date: date,
    nomination_opens: date,
    nomination_closes: date,
    actor: AbstractBaseUser | None,
) -> tuple[Programme, list[str]]:
    """A new programme like `source` on new dates, with what each app copies (no students, answers or spend).

    Returns the new programme and warnings for the coordinator (a lead whose vetting ends too soon).
    """
    details = {name: getattr(source, name) for name in PROGRAMME_FIELDS}
    details.update(
        title=title,
        start_date=start_date,
        end_date=end_date,
        nomination_opens=nomination_opens,
        nomination_closes=nomination_closes,
    )
    target = Programme(force_id=source.force_id, **details)
    _check_programme(target)
    target.save()
    context = hooks.CopyContext(source=source, target=target, shift_days=(start_date - source.start_date).days)
    warnings = []
    for copier in hooks.programme_copiers():
        if copier.copy is not None:
            warnings.extend(copier.copy(context) or [])
    programme_status_refresh(programme=target, today=timezone.localdate())
    audit_action(actor=actor, action="Programme copied", instance=target, source=source.pk)
    return target, warnings


# What placements itself copies: syndicates with their leads and the planned budget.


def settings_describe(source: Programme) -> list[hooks.CopyItem]:
    return [
        hooks.CopyItem(
            "The programme's settings: places, SEND places, the limit per school, ages, "
            "attendance for a certificate and the mentoring rules"
        ),
        hooks.CopyItem("Activities: your force's catalogue serves every programme, so it is there already"),
    ]


def syndicates_describe(source: Programme) -> list[hooks.CopyItem]:
    counts = source.syndicates.aggregate(total=Count("pk"), led=Count("pk", filter=Q(lead__isnull=False)))
    items = []
    if counts["total"]:
        items.append(
            hooks.CopyItem(
                f"{counts['total']} syndicate{'s' * (counts['total'] != 1)} with "
                f"{counts['led']} lead{'s' * (counts['led'] != 1)} (no students)"
            )
        )
    items.append(hooks.CopyItem("The timetable: make it for the new week once the syndicates are built", copied=False))
    return items


def syndicates_copy(context: hooks.CopyContext) -> list[str]:
    rows, lapsed = [], 0
    for syndicate in context.source.syndicates.select_related("lead").order_by("name"):
        lead = syndicate.lead
        if lead is not None and not (lead.is_active and lead.vetting_valid_through(context.target.end_date)):
            lead, lapsed = None, lapsed + 1
        rows.append(Syndicate(programme=context.target, name=syndicate.name, lead=lead))
    Syndicate.objects.bulk_create(rows)
    roles_changed()  # the copied syndicates' leads lead these too (bulk_create sends no signal)
    if lapsed:
        return [
            f"{lapsed} lead{'s' * (lapsed != 1)} could not be copied: their vetting does not cover the new dates "
            "(or they have left). Their syndicates have no lead yet."
        ]
    return []


def budget_describe(source: Programme) -> list[hooks.CopyItem]:
    lines = list(source.budget_lines.all())
    if not lines:
        return []
    planned = sum((line.planned for line in lines), Decimal("0"))
    return [
        hooks.CopyItem(f"{len(lines)} planned budget line{'s' * (len(lines) != 1)} (£{planned:,.2f} planned)"),
        hooks.CopyItem("Spend: the new budget starts with nothing spent", copied=False),
    ]


def budget_copy(context: hooks.CopyContext) -> list[str]:
    BudgetLine.objects.bulk_create(
        BudgetLine(programme=context.target, category=line.category, description=line.description, planned=line.planned)
        for line in context.source.budget_lines.all()
    )
    return []


# --- activities catalogue ---------------------------------------------------------------------


def _check_activity(activity: Activity, delivering_staff: Iterable[ForcePerson]) -> None:
    if activity.department_id and activity.department.force_id != activity.force_id:
        raise PlanningError("That department is not part of this force.", field="department")
    if any(person.force_id != activity.force_id for person in delivering_staff):
        raise PlanningError("Only people of this force can deliver its activities.", field="delivering_staff")
    if not activity.department_id and not activity.community_partner.strip():
        raise PlanningError("Say who delivers it: a department or a community partner.", field="department")
    try:
        activity.full_clean(exclude=["force", "slug"], validate_unique=False)
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        raise PlanningError(problems[0], field=None if field == NON_FIELD_ERRORS else field) from None


def _unique_slug(force_id: int, title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:70] or "activity"
    taken = set(Activity.objects.filter(force_id=force_id, slug__startswith=base).values_list("slug", flat=True))
    if exclude_pk is not None:
        taken -= set(Activity.objects.filter(pk=exclude_pk).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _check_activity_details(details: Mapping[str, Any]) -> None:
    unknown = set(details) - set(ACTIVITY_FIELDS)
    if unknown:
        raise PlanningError(f"Not an activity detail: {', '.join(sorted(unknown))}.")


@transaction.atomic
def activity_create(
    *,
    force: Force,
    details: Mapping[str, Any],
    delivering_staff: Iterable[ForcePerson] = (),
    outcomes: Sequence[tuple[str, ...]] | None = None,
    actor: AbstractBaseUser | None,
) -> Activity:
    """Add an activity to the force's catalogue (its short name, used by survey questions, is made once)."""
    _check_activity_details(details)
    staff = list(delivering_staff)
    activity = Activity(force=force, **details)
    _check_activity(activity, staff)
    activity.slug = _unique_slug(force.pk, activity.title)
    activity.save()
    activity.delivering_staff.set(staff)
    audit_action(actor=actor, action="Activity added", instance=activity)
    if outcomes is not None:
        activity_outcomes_set(activity=activity, outcomes=outcomes, actor=actor)
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    details: Mapping[str, Any],
    delivering_staff: Iterable[ForcePerson] = (),
    outcomes: Sequence[tuple[str, ...]] | None = None,
    actor: AbstractBaseUser | None,
) -> Activity:
    """Change an activity; its short name stays, so survey answers about it still match it."""
    _check_activity_details(details)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    staff = list(delivering_staff)
    changed = sorted(name for name, value in details.items() if getattr(activity, name) != value)
    for name, value in details.items():
        setattr(activity, name, value)
    _check_activity(activity, staff)
    activity.save()
    activity.delivering_staff.set(staff)
    audit_action(actor=actor, action="Activity changed", instance=activity, fields=changed)
    if outcomes is not None:
        activity_outcomes_set(activity=activity, outcomes=outcomes, actor=actor)
    return activity


# An activity's learning outcomes: a short list, so a survey asking about each stays short too.
MAX_OUTCOMES = 8


class OutcomeWords(NamedTuple):
    """One learning outcome as a coordinator gives it: its words, in easy-read words and in Welsh (optional)."""

    text: str
    easy_read_text: str = ""
    text_cy: str = ""


@transaction.atomic
def activity_outcomes_set(
    *, activity: Activity, outcomes: Sequence[tuple[str, ...]], actor: AbstractBaseUser | None
) -> list[LearningOutcome]:
    """Replace an activity's learning outcomes with `outcomes` (OutcomeWords, or tuples of the same, in order).

    An outcome whose words are unchanged keeps its row, so survey questions already asked about it still
    point to it; one whose words change is a new outcome (the old question keeps the words students saw).
    Its easy-read and Welsh words may change in place: questions already made keep the ones they were made with.
    """
    cleaned = []
    seen = set()
    for given in outcomes:
        words = OutcomeWords(*(" ".join(part.split()) for part in given))
        if not words.text:
            if words.easy_read_text or words.text_cy:
                raise PlanningError("Give the outcome that these easy-read or Welsh words are for.", field="outcomes")
            continue
        if any(len(part) > 200 for part in words):
            raise PlanningError("Keep each outcome to 200 characters or fewer.", field="outcomes")
        if words.text.casefold() in seen:
            raise PlanningError(f"“{words.text}” is listed twice: give each outcome once.", field="outcomes")
        seen.add(words.text.casefold())
        cleaned.append(words)
    if len(cleaned) > MAX_OUTCOMES:
        raise PlanningError(f"Give at most {MAX_OUTCOMES} outcomes for one activity.", field="outcomes")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    before = list(activity.outcomes.all())
    if [(o.text, o.easy_read_text, o.text_cy) for o in before] == cleaned:
        return before
    existing = {outcome.text.casefold(): outcome for outcome in before}
    kept, made = [], []
    for position, words in enumerate(cleaned, 1):
        outcome = existing.pop(words.text.casefold(), None)
        if outcome is None:
            made.append(LearningOutcome(activity=activity, position=position, **words._asdict()))
        else:
            outcome.position = position
            outcome.text, outcome.easy_read_text, outcome.text_cy = words
            kept.append(outcome)
    removed = [outcome.pk for outcome in existing.values()]
    LearningOutcome.objects.filter(pk__in=removed).delete()
    LearningOutcome.objects.bulk_update(kept, ["position", *OutcomeWords._fields])
    LearningOutcome.objects.bulk_create(made)
    audit_action(
        actor=actor,
        action="Learning outcomes set",
        instance=activity,
        outcomes=len(cleaned),
        added=len(made),
        removed=len(removed),
    )
    return sorted(kept + made, key=lambda outcome: outcome.position)


@transaction.atomic
def activity_set_in_use(*, activity: Activity, in_use: bool, actor: AbstractBaseUser | None) -> Activity:
    """Retire an activity (kept for past timetables, left out of new ones) or bring it back."""
    if activity.is_active != in_use:
        activity.is_active = in_use
        activity.save(update_fields=["is_active"])
        audit_action(actor=actor, action="Activity brought back" if in_use else "Activity retired", instance=activity)
    return activity


@transaction.atomic
def department_unavailability_add(
    *,
    department: Department,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    actor: AbstractBaseUser | None,
) -> DepartmentUnavailability:
    """Record a time a department cannot deliver; the timetable generator avoids it."""
    if ends_at <= starts_at:
        raise PlanningError("The end must be after the start.", field="ends_at")
    row = DepartmentUnavailability.objects.create(
        department=department, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()[:200]
    )
    audit_action(actor=actor, action="Department unavailable time recorded", instance=row)
    return row


@transaction.atomic
def department_unavailability_remove(
    *, unavailability: DepartmentUnavailability, actor: AbstractBaseUser | None
) -> None:
    """Remove a recorded unavailable time (the department can be timetabled then again)."""
    audit_action(actor=actor, action="Department unavailable time removed", instance=unavailability)
    unavailability.delete()


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
    """The planner's view of an activity (delivering staff from a prefetch when there is one)."""
    return planning.ActivityRecord(
        id=activity.pk,
        title=activity.title,
        kind=activity.kind,
        department=activity.department_id,
        capacity=activity.syndicate_capacity,
        duration_minutes=activity.duration_minutes,
        venue=activity.venue,
        staff=tuple(sorted(person.pk for person in activity.delivering_staff.all())),
        shared_with=activity.shared_with,
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


def _week_bounds(programme: Programme) -> tuple[date, date]:
    """From the Monday of the week before the programme to the Sunday of the week after it."""
    first = programme.start_date - timedelta(days=programme.start_date.weekday() + 7)
    last = programme.end_date + timedelta(days=6 - programme.end_date.weekday() + 7)
    return first, last


def other_programmes_busy(programme: Programme) -> list[planning.Busy]:
    """What the force's other programmes hold around this one's dates: their planned sessions'
    departments, venues, delivering staff and leads, and the weeks either side of a week in which a
    department that cannot run weeks in a row is booked. Read in three queries."""
    first, last = _week_bounds(programme)
    sessions = list(
        Session.objects.filter(
            programme__force_id=programme.force_id,
            status=Session.Status.PLANNED,
            starts_at__date__gte=first,
            starts_at__date__lte=last,
        )
        .exclude(programme=programme)
        .exclude(programme__status=Programme.Status.CANCELLED)
        .select_related("activity__department", "programme")
        .prefetch_related("activity__delivering_staff", "syndicates")
    )
    busy = []
    rested = defaultdict(set)  # department that cannot run weeks in a row -> days it is booked elsewhere
    for session in sessions:
        activity = session.activity
        record = activity_record(activity)
        start, end = _naive(session.starts_at), _naive(session.ends_at)
        reason = f"booked for “{session.programme.title}” then"
        held = set(planning.activity_resources(record))
        held.update(("person", s.lead_id) for s in session.syndicates.all() if s.lead_id)
        busy.extend(planning.Busy(resource, start, end, reason) for resource in sorted(held, key=str))
        if activity.department_id and activity.department.no_consecutive_weeks:
            rested[activity.department_id, activity.department.name].add(start.date())
    for (department, name), days in sorted(rested.items()):
        busy.extend(
            planning.consecutive_week_busy(
                department=department,
                booked_days=days,
                days=programme.days,
                reason=f"{name} runs in another programme the week before or after, and cannot run weeks in a row",
            )
        )
    return busy


def _fillers(programme: Programme, chosen: Iterable[Activity]) -> list[Activity]:
    """Inputs that can fill idle time: the force's active contingency activities and community
    inputs (no department) that are not on the plan already, one slot long."""
    chosen_ids = {a.pk for a in chosen}
    fillers = [
        activity
        for activity in Activity.objects.filter(force=programme.force_id, is_active=True)
        .filter(Q(is_contingency=True) | Q(department__isnull=True))
        .exclude(kind=Activity.Kind.DEMONSTRATION)
        .prefetch_related("delivering_staff")
        .order_by("title", "pk")
        if activity.pk not in chosen_ids
    ]
    # A filler another app refuses (no risk assessment in date) is left out rather than refused.
    refused = hooks.timetable_refusals(programme, [a.pk for a in fillers])
    return [activity for activity in fillers if activity.pk not in refused]


@transaction.atomic
def timetable_generate(
    *,
    programme: Programme,
    activities: Iterable[Activity],
    fill_idle: bool = False,
    actor: AbstractBaseUser | None,
) -> planning.WeekPlan:
    """Replace the programme's timetable with a generated one, around what the force's other
    programmes hold; with `fill_idle`, free slots get contingency and community inputs. Raises
    PlanningError naming the broken rule."""
    Programme.objects.select_for_update().get(pk=programme.pk)
    activities = [a for a in activities if a.force_id == programme.force_id]
    refused = hooks.timetable_refusals(programme, [a.pk for a in activities])
    if refused:
        raise PlanningError(" ".join(refused[pk] for pk in sorted(refused)), status=409)
    staff = {
        a.pk: a for a in Activity.objects.filter(pk__in=[a.pk for a in activities]).prefetch_related("delivering_staff")
    }
    syndicates = list(programme.syndicates.all())
    records = [planning.SyndicateRecord(id=s.pk, name=s.name, lead=s.lead_id) for s in syndicates]
    fillers = _fillers(programme, activities) if fill_idle else []
    departments = {a.department_id for a in activities + fillers if a.department_id}
    plan = planning.plan_week(
        days=programme.days,
        activities=[activity_record(staff[a.pk]) for a in activities],
        syndicates=records,
        unavailable=_unavailable(programme, departments),
        busy=other_programmes_busy(programme),
        fillers=[activity_record(a) for a in fillers],
    )
    programme.sessions.all().delete()
    tz = timezone.get_current_timezone()
    made = Session.objects.bulk_create(
        Session(
            programme=programme,
            activity_id=item.activity,
            starts_at=timezone.make_aware(item.starts_at, tz),
            ends_at=timezone.make_aware(item.ends_at, tz),
            part=item.part,
            parts=item.parts,
            is_filler=item.filler,
        )
        for item in plan.sessions
    )
    through = Session.syndicates.through
    through.objects.bulk_create(
        through(session_id=session.pk, syndicate_id=s)
        for session, item in zip(made, plan.sessions, strict=True)
        for s in item.syndicates
    )
    signals.timetable_changed.send(sender=Session, programme=programme)
    audit_action(
        actor=actor,
        action="Timetable generated",
        instance=programme,
        sessions=len(plan.sessions),
        idle_slots=len(plan.idle),
    )
    return plan


def timetable_idle(
    *, programme: Programme, sessions: Iterable[Session], syndicates: Iterable[Syndicate]
) -> tuple[list, list]:
    """For the timetable page: which contingency or community inputs could still fill free slots
    (generate again to add them), and which slots stay free and why. `sessions` come from
    selectors.timetable (activities and syndicates loaded). A fixed number of queries."""
    planned = [s for s in sessions if s.status == Session.Status.PLANNED]
    syndicates = sorted(syndicates, key=lambda s: s.pk)
    if not planned or not syndicates:
        return [], []
    activities = {s.activity_id: s.activity for s in planned}
    prefetch_related_objects(list(activities.values()), "delivering_staff")
    main = {s.activity_id for s in planned if not s.is_filler}
    fillers = [a for a in _fillers(programme, []) if a.pk not in main]
    departments = {a.department_id for a in fillers if a.department_id}
    busy = other_programmes_busy(programme) + [
        planning.Busy(("department", u.department), u.starts_at, u.ends_at, "the department is unavailable then")
        for u in _unavailable(programme, departments)
    ]
    records = [
        planning.PlannedSession(
            s.activity_id, _naive(s.starts_at), _naive(s.ends_at), tuple(x.pk for x in s.syndicates.all())
        )
        for s in planned
    ]
    return planning.idle_report(
        days=programme.days,
        sessions=records,
        activities=[activity_record(a) for a in activities.values()],
        syndicates=[planning.SyndicateRecord(id=s.pk, name=s.name, lead=s.lead_id) for s in syndicates],
        fillers=[activity_record(a) for a in fillers],
        busy=busy,
    )


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
    refused = hooks.timetable_refusals(programme, [a.pk for a in candidates])
    candidates = [a for a in candidates if a.pk not in refused]
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
            # The syndicate's updated calendar (same event, higher SEQUENCE), made at send time by
            # whichever app registered the kind (communications); no file if none did.
            attachments=[("syndicate-calendar", syndicate.pk)],
        )
    signals.session_replaced.send(sender=Session, session=session, replacement=replacement, actor=actor)
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


class OverAllocation(PlanningError):
    """Spend that would take the programme past its allocation: the coordinator is asked before it is recorded."""

    status = 409


@transaction.atomic
def spend_entry_add(
    *,
    programme: Programme,
    category: str,
    day: date,
    amount: Decimal | None,
    note: str,
    actor: AbstractBaseUser | None,
    past_allocation_confirmed: bool = False,
) -> SpendEntry:
    """Record spend in a category and add it to the category's actual (kept if entered by hand before).

    Spend that would take the total past the programme's allocation is refused with OverAllocation unless
    the coordinator has confirmed it (`past_allocation_confirmed`); the confirmation is in the audit trail.
    """
    if amount is None or amount <= 0:
        raise PlanningError("Spend must be more than £0.")
    if category not in BudgetLine.Category.values:
        raise PlanningError("Choose a budget category.")
    # The programme row is the lock for its whole budget: two coordinators recording spend at once both
    # see the other's before checking the allocation.
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    spent = locked.budget_lines.aggregate(total=Sum("actual"))["total"] or Decimal("0")
    allocation = locked.budget_allocated
    passes = allocation is not None and spent + amount > allocation
    if passes and not past_allocation_confirmed:
        raise OverAllocation(
            f"Recording £{amount:,.2f} takes spending to £{spent + amount:,.2f}, "
            f"£{spent + amount - allocation:,.2f} over the £{allocation:,.2f} allocated"
            + (f" by {locked.sponsor}" if locked.sponsor else "")
            + ". Check with whoever holds the budget before you record it.",
            field="amount",
        )
    line, _ = BudgetLine.objects.select_for_update().get_or_create(programme=programme, category=category)
    entry = SpendEntry.objects.create(budget_line=line, date=day, amount=amount, note=note, recorded_by=actor)
    line.actual += amount
    line.save(update_fields=["actual"])
    extra = {"past_allocation": str(allocation)} if passes else {}
    audit_action(actor=actor, action="Spend recorded", instance=entry, amount=str(amount), **extra)
    return entry


@transaction.atomic
def programme_funding_set(
    *,
    programme: Programme,
    sponsor: str,
    funding_source: str,
    budget_allocated: Decimal | None,
    actor: AbstractBaseUser | None,
) -> Programme:
    """Set who pays for the programme, from which fund, and the allocation its spending should stay within."""
    if budget_allocated is not None and budget_allocated < 0:
        raise PlanningError("Give the allocation in pounds: £0 or more, or leave it blank.", field="budget_allocated")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = programme.budget_allocated
    programme.sponsor = sponsor.strip()[:200]
    programme.funding_source = funding_source.strip()[:200]
    programme.budget_allocated = budget_allocated
    programme.save(update_fields=["sponsor", "funding_source", "budget_allocated", "updated_at"])
    audit_action(
        actor=actor,
        action="Programme funding set",
        instance=programme,
        sponsor=programme.sponsor,
        allocated=str(budget_allocated) if budget_allocated is not None else "",
        was=str(before) if before is not None else "",
    )
    return programme


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


# --- planned budget lines ---------------------------------------------------------------------


@transaction.atomic
def budget_line_add(
    *,
    programme: Programme,
    category: str,
    description: str,
    planned: Decimal | None,
    actor: AbstractBaseUser | None,
) -> BudgetLine:
    """Plan spending in a category the programme has no line for yet."""
    if category not in BudgetLine.Category.values:
        raise PlanningError("Choose a budget category.", field="category")
    if planned is None or planned < 0:
        raise PlanningError("Give the planned amount: £0 or more.", field="planned")
    Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.budget_lines.filter(category=category).exists():
        label = BudgetLine.Category(category).label
        raise PlanningError(f"There is a {label} line already: change that one instead.", field="category")
    line = BudgetLine.objects.create(
        programme=programme, category=category, description=description.strip()[:200], planned=planned
    )
    audit_action(actor=actor, action="Budget line planned", instance=line, planned=str(planned))
    return line


@transaction.atomic
def budget_line_update(
    *, line: BudgetLine, description: str, planned: Decimal | None, actor: AbstractBaseUser | None
) -> BudgetLine:
    """Change a line's description or planned amount (what was spent is kept as it is)."""
    if planned is None or planned < 0:
        raise PlanningError("Give the planned amount: £0 or more.", field="planned")
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    before = line.planned
    line.description = description.strip()[:200]
    line.planned = planned
    line.save(update_fields=["description", "planned"])
    audit_action(actor=actor, action="Budget line changed", instance=line, planned=str(planned), was=str(before))
    return line


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, actor: AbstractBaseUser | None) -> None:
    """Delete a planned line that has no spend against it (spend records are never deleted this way)."""
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    if line.actual > 0 or line.spend_entries.exists():
        raise PlanningError(
            f"£{line.actual:,.2f} has been spent on this line, so it cannot be deleted. "
            "Set its planned amount to £0 instead.",
            status=409,
        )
    audit_action(
        actor=actor,
        action="Budget line deleted",
        instance=line.programme,
        category=line.category,
        planned=str(line.planned),
    )
    line.delete()


# --- the force's people and departments ---------------------------------------------------------

# The details a coordinator sets on a person; `force` comes from who they are, `user` only from an
# accepted invitation, `is_active` only from deactivating (or making active again).
PERSON_FIELDS = ("name", "kind", "rank", "department", "email", "vetting_expires_on", "is_coordinator", "is_mentor")
PERSON_INVITATION_PURPOSE = "person-invitation"
PERSON_INVITATION_DAYS = 7


def _check_person(person: ForcePerson) -> None:
    if person.department_id and person.department.force_id != person.force_id:
        raise PlanningError("That department is not part of this force.", field="department")
    person.name = person.name.strip()
    person.email = person.email.strip()
    try:
        person.full_clean(exclude=["force", "user"], validate_unique=False)
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        raise PlanningError(problems[0], field=None if field == NON_FIELD_ERRORS else field) from None


def _person_details(details: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(details) - set(PERSON_FIELDS)
    if unknown:
        raise PlanningError(f"Not a detail of a person: {', '.join(sorted(unknown))}.")
    return dict(details)


def _is_self(person: ForcePerson, actor: AbstractBaseUser | None) -> bool:
    return actor is not None and person.user_id is not None and person.user_id == actor.pk


def _invitations_withdraw(person: ForcePerson) -> int:
    """End the person's pending invitations (their links stop working)."""
    now = timezone.now()
    return ForcePersonInvitation.objects.filter(person=person, accepted_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )


@transaction.atomic
def force_person_create(*, force: Force, details: Mapping[str, Any], actor: AbstractBaseUser | None) -> ForcePerson:
    """Add an officer, PCSO, member of staff or volunteer to the force's people."""
    person = ForcePerson(force=force, **_person_details(details))
    _check_person(person)
    person.save()
    audit_action(
        actor=actor, action="Person added", instance=person, coordinator=person.is_coordinator, mentor=person.is_mentor
    )
    if person.is_coordinator:
        audit_action(actor=actor, action="Coordinator role given", instance=person)
    return person


@transaction.atomic
def force_person_update(
    *, person: ForcePerson, details: Mapping[str, Any], actor: AbstractBaseUser | None
) -> ForcePerson:
    """Change a person's details and roles. Giving the coordinator role opens every child's record of
    the force to them, so it is recorded as its own action; nobody removes their own."""
    details = _person_details(details)
    person = ForcePerson.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise PlanningError(f"{person.name} is deactivated: make them active again first.", status=409)
    was_coordinator, was_mentor, old_email = person.is_coordinator, person.is_mentor, person.email
    changed = sorted(name for name, value in details.items() if getattr(person, name) != value)
    for name, value in details.items():
        setattr(person, name, value)
    _check_person(person)
    if was_coordinator and not person.is_coordinator and _is_self(person, actor):
        raise PlanningError(
            "You cannot take away your own coordinator role. Ask another coordinator to do it.",
            field="is_coordinator",
            status=409,
        )
    if was_mentor and not person.is_mentor:
        mentees = person.mentees.filter(status="active").count()
        if mentees:
            raise PlanningError(
                f"{person.name} mentors {mentees} student{'s' * (mentees != 1)} now. End or move that mentoring "
                "before taking away the mentor role.",
                field="is_mentor",
                status=409,
            )
    person.save()
    if person.email.casefold() != old_email.casefold():
        _invitations_withdraw(person)  # an invitation goes to the address it was sent to, not a new one
    audit_action(actor=actor, action="Person changed", instance=person, fields=changed)
    if person.is_coordinator and not was_coordinator:
        audit_action(actor=actor, action="Coordinator role given", instance=person)
    elif was_coordinator and not person.is_coordinator:
        audit_action(actor=actor, action="Coordinator role taken away", instance=person)
    return person


def force_person_commitments(*, person: ForcePerson) -> dict[str, list]:
    """What stops a person being deactivated (syndicates of programmes not finished, active mentees) and
    what deactivating changes (the activities they are listed to deliver)."""
    unfinished = Programme.objects.exclude(status__in=[Programme.Status.COMPLETED, Programme.Status.CANCELLED])
    return {
        "syndicates": list(
            Syndicate.objects.filter(lead=person, programme__in=unfinished)
            .select_related("programme")
            .order_by("programme__start_date", "name")
        ),
        "mentees": list(
            person.mentees.filter(status="active")
            .select_related("placement__nomination", "placement__programme")
            .order_by("placement__nomination__last_name", "pk")
        ),
        "activities": list(person.activities.filter(is_active=True).order_by("title")),
    }


@transaction.atomic
def force_person_deactivate(*, person: ForcePerson, actor: AbstractBaseUser | None) -> ForcePerson:
    """Stop offering a person as a lead, mentor or deliverer and end their access; their records stay.

    Refused while they lead a syndicate of a programme that has not finished or mentor a student.
    """
    person = ForcePerson.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        return person
    if _is_self(person, actor):
        raise PlanningError("You cannot deactivate yourself. Ask another coordinator to do it.", status=409)
    commitments = force_person_commitments(person=person)
    if commitments["syndicates"] or commitments["mentees"]:
        raise PlanningError(
            f"{person.name} still leads a syndicate or mentors a student: choose someone else for those first.",
            status=409,
        )
    activities = commitments["activities"]
    person.activities.remove(*activities)
    person.is_active = False
    person.save(update_fields=["is_active"])
    withdrawn = _invitations_withdraw(person)
    audit_action(
        actor=actor,
        action="Person deactivated",
        instance=person,
        activities=len(activities),
        invitations_withdrawn=withdrawn,
        coordinator=person.is_coordinator,
    )
    return person


@transaction.atomic
def force_person_reactivate(*, person: ForcePerson, actor: AbstractBaseUser | None) -> ForcePerson:
    """Make a deactivated person active again (their roles are as they were; activities are not restored)."""
    person = ForcePerson.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        person.is_active = True
        person.save(update_fields=["is_active"])
        audit_action(actor=actor, action="Person made active again", instance=person, coordinator=person.is_coordinator)
    return person


def _check_department(department: Department) -> None:
    department.name = " ".join(department.name.split())
    if not department.name:
        raise PlanningError("Enter the department's name.", field="name")
    if len(department.name) > 120:
        raise PlanningError("Keep the name to 120 characters or fewer.", field="name")
    taken = Department.objects.filter(force_id=department.force_id, name__iexact=department.name)
    if taken.exclude(pk=department.pk).exists():
        raise PlanningError(f"There is a department called {department.name} already.", field="name")


@transaction.atomic
def department_create(
    *,
    force: Force,
    name: str,
    is_specialist: bool,
    no_consecutive_weeks: bool = False,
    contact_name: str = "",
    contact_email: str = "",
    actor: AbstractBaseUser | None,
) -> Department:
    """Add a department that delivers activities or that people belong to."""
    department = Department(
        force=force,
        name=name,
        is_specialist=is_specialist,
        no_consecutive_weeks=no_consecutive_weeks,
        contact_name=contact_name,
        contact_email=contact_email,
    )
    _check_department(department)
    department.save()
    audit_action(actor=actor, action="Department added", instance=department, specialist=is_specialist)
    return department


@transaction.atomic
def department_update(
    *,
    department: Department,
    name: str,
    is_specialist: bool,
    no_consecutive_weeks: bool | None = None,
    contact_name: str | None = None,
    contact_email: str | None = None,
    actor: AbstractBaseUser | None,
) -> Department:
    """Rename a department, say whether it is specialist (may be called away), whether it can
    run weeks in a row and who its contact is (None: unchanged)."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = department.name
    department.name, department.is_specialist = name, is_specialist
    if no_consecutive_weeks is not None:
        department.no_consecutive_weeks = no_consecutive_weeks
    if contact_name is not None:
        department.contact_name = contact_name
    if contact_email is not None:
        department.contact_email = contact_email
    _check_department(department)
    department.save(update_fields=["name", "is_specialist", "no_consecutive_weeks", "contact_name", "contact_email"])
    audit_action(
        actor=actor,
        action="Department changed",
        instance=department,
        renamed=before != department.name,
        specialist=is_specialist,
        no_consecutive_weeks=department.no_consecutive_weeks,
    )
    return department


# --- a sign-in for a force person: an emailed invitation (the flow is core.invitations) --------------


def _invitation_token():
    salt = new_token_salt()
    token = link_token(PERSON_INVITATION_PURPOSE, salt)
    return salt, token, token_hash(token)


@transaction.atomic
def force_person_invitation_create(*, person: ForcePerson, actor: AbstractBaseUser | None):
    """Email a person a single-use link (7 days) to make a sign-in; returns (invitation, token).

    An earlier link that has not been used stops working. The token is never stored, only its hash.
    """
    person = ForcePerson.objects.select_for_update(of=("self",)).select_related("force").get(pk=person.pk)
    if not person.is_active:
        raise PlanningError(f"{person.name} is deactivated: make them active again first.", status=409)
    if person.user_id is not None:
        raise PlanningError(f"{person.name} can sign in already.", status=409)
    if not person.email:
        raise PlanningError(f"Add {person.name}'s email address first: the invitation goes there.", status=409)
    _invitations_withdraw(person)
    salt, token, digest = _invitation_token()
    invitation = ForcePersonInvitation.objects.create(
        person=person,
        email=person.email,
        token_salt=salt,
        token_hash=digest,
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=timezone.now() + timedelta(days=PERSON_INVITATION_DAYS),
    )
    inviter = (actor.get_full_name() or actor.username) if getattr(actor, "is_authenticated", False) else ""
    email_queue(
        kind="person_invitation",
        to=person.email,
        context={
            "person": person,
            "force": person.force,
            "inviter": inviter or "The programme coordinator",
            "roles": person_roles_in_words(person),
            "link": link_marker(PERSON_INVITATION_PURPOSE, invitation.pk),
            "days": PERSON_INVITATION_DAYS,
            "two_factor": person.is_coordinator,
        },
        dedupe_key=f"person-invitation-{invitation.pk}",
        force=person.force,
    )
    audit_action(actor=actor, action="Invitation to sign in sent", instance=person, coordinator=person.is_coordinator)
    return invitation, token


def person_roles_in_words(person: ForcePerson) -> str:
    """What the person is invited to do, for the email and the accept page."""
    if person.is_coordinator:
        return "run the force's work-experience programmes as a coordinator"
    if person.is_mentor:
        return "see your mentees and log your contacts with them as a career mentor"
    return "see your syndicate's timetable and take its attendance register"


def force_person_invitation_path(pk: int) -> str | None:
    """The working link of ForcePersonInvitation `pk` (for the outbox at send time), or None."""
    invitation = ForcePersonInvitation.objects.filter(pk=pk).only("token_salt", "token_hash").first()
    token = invitation and link_token(PERSON_INVITATION_PURPOSE, invitation.token_salt)
    if not token or token_hash(token) != invitation.token_hash:
        return None
    return reverse("placements:person_invitation_open", args=[token])


def _invitation_pending(invitation):
    return invitation_pending(
        invitation,
        error=PlanningError,
        expired="This invitation has expired or was withdrawn. Ask the programme coordinator to invite you again.",
        withdrawn="This invitation was withdrawn. Ask the programme coordinator about it.",
    )


def _invitations():
    return ForcePersonInvitation.objects.select_related("person__force")


def force_person_invitation_open(*, token: str):
    """The invitation a link token belongs to, used or not (the accept page explains which); 404 if none."""
    return invitation_by_token(_invitations(), token, error=PlanningError)


def force_person_invitation_find(*, pk):
    """The pending invitation kept in the session after its link was opened; 404 unknown, 410 used or expired."""
    return _invitation_pending(invitation_by_pk(_invitations(), pk))


def force_person_invitation_has_account(*, invitation) -> bool:
    """Whether someone already has an account for the invited email, or the person is linked to one."""
    return email_has_account(invitation.email) or invitation.person.user_id is not None


def _locked_invitation(invitation):
    return invitation_locked(_invitations(), invitation, pending=_invitation_pending)


def _invitation_complete(invitation, user) -> ForcePerson:
    return invitation_complete(invitation, user, action="Sign-in made from an invitation", instance=invitation.person)


@transaction.atomic
def force_person_invitation_accept(*, invitation, username: str, password: str):
    """Create a new account for the invited person and link it; returns the new user.

    Never returns an existing account: an email that has one must sign in first and link it.
    """
    invitation = _locked_invitation(invitation)
    if force_person_invitation_has_account(invitation=invitation):
        raise PlanningError(
            "You already have an account. Sign in with your own password to accept this invitation.", status=409
        )
    user = account_create(
        username=username, email=invitation.email, name=invitation.person.name, password=password, error=PlanningError
    )
    _invitation_complete(invitation, user)
    return user


@transaction.atomic
def force_person_invitation_link(*, invitation, user) -> ForcePerson:
    """Link the signed-in `user`, whose own email is the invited one, to the invited person."""
    invitation = _locked_invitation(invitation)
    if not user.is_active or not invitation_email_matches(invitation=invitation, user=user):
        raise PlanningError(
            "This invitation was sent to a different email address from the one on your account.", status=403
        )
    person = invitation.person
    if person.user_id not in (None, user.pk):
        raise PlanningError(
            f"{person.name} is already linked to a different account. Ask the programme coordinator to check it.",
            status=409,
        )
    elsewhere = ForcePerson.objects.filter(user=user).exclude(pk=person.pk).select_related("force").first()
    if elsewhere is not None:
        raise PlanningError(
            f"Your account already belongs to {elsewhere.name} of {elsewhere.force}. "
            "Ask the programme coordinator to invite another email address.",
            status=409,
        )
    return _invitation_complete(invitation, user)


@transaction.atomic
def force_language_set(*, force: Force, language: str, actor: AbstractBaseUser | None) -> Force:
    """Set the language the force's public and schools see first; each person can still switch on every page."""
    if not language_valid(language):
        raise PlanningError("Choose English or Welsh.", field="default_language")
    force = Force.objects.select_for_update().get(pk=force.pk)
    if force.default_language != language:
        force.default_language = language
        force.save(update_fields=["default_language"])
        audit_action(actor=actor, action="Public language changed", instance=force, language=language)
    return force
