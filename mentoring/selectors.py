"""Reads for career mentoring: who may be mentored, mentor load, due lists, accountability, pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.scoping import scope_for, scoped
from placements.models import ForcePerson, Placement, Programme
from schools.models import Consent
from surveys.models import Answer, Survey

from .models import MentorAssignment, MentoringReferral, MentoringSettings, Outcome

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import QuerySet

    from placements.models import Force

WANTS_MENTOR_CODE = "wants_mentor"


def mentoring_settings_for(force: Force) -> MentoringSettings:
    """The force's mentoring settings, or the defaults (unsaved) if none were set."""
    return MentoringSettings.objects.filter(force=force).first() or MentoringSettings(force=force)


def _consent_ok() -> Q:
    return Q(
        nomination__consent__status=Consent.Status.GIVEN,
        nomination__consent__mentoring_contact=True,
    )


def _asked_for_mentor() -> Exists:
    return Exists(
        Answer.objects.filter(
            question__code=WANTS_MENTOR_CODE,
            question__survey__phase=Survey.Phase.POST,
            question__survey__programme=OuterRef("programme"),
            response__invitation__placement=OuterRef("pk"),
            value_int=1,
        )
    )


def with_eligibility(queryset: QuerySet[Placement]) -> QuerySet[Placement]:
    """Annotate placements with consent_ok, asked_for_mentor, referred and has_active_mentor."""
    return queryset.annotate(
        consent_ok=Exists(Placement.objects.filter(_consent_ok(), pk=OuterRef("pk"))),
        asked_for_mentor=_asked_for_mentor(),
        referred=Exists(MentoringReferral.objects.filter(placement=OuterRef("pk"))),
        has_active_mentor=Exists(MentorAssignment.objects.active().filter(placement=OuterRef("pk"))),
    )


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str
    code: str


def eligibility_of(placement: Placement) -> Eligibility:
    """Why an annotated placement (see with_eligibility) can or cannot be given a mentor."""
    if placement.status != Placement.Status.CONFIRMED:
        return Eligibility(False, "The student's place was withdrawn.", "withdrawn")
    if not placement.consent_ok:
        return Eligibility(False, "No consent to mentoring contact.", "no_consent")
    if not (placement.asked_for_mentor or placement.referred):
        return Eligibility(False, "Did not ask for a mentor and has not been put forward.", "not_asked")
    reason = "Asked for a mentor on the survey." if placement.asked_for_mentor else "Put forward by the coordinator."
    return Eligibility(True, reason, "eligible")


def placement_eligibility(*, placement: Placement) -> Eligibility:
    annotated = with_eligibility(Placement.objects.filter(pk=placement.pk)).get()
    return eligibility_of(annotated)


def placements_with_lapsed_consent() -> QuerySet[Placement]:
    """Placements with active mentoring whose mentoring consent is no longer given."""
    active = MentorAssignment.objects.active().filter(placement=OuterRef("pk"))
    return Placement.objects.filter(Exists(active)).exclude(_consent_ok())


def programme_mentoring(*, programme: Programme) -> list[dict[str, Any]]:
    """Every placement of a programme, annotated for eligibility, with its active assignment."""
    assignments = MentorAssignment.objects.select_related("mentor").order_by("-created_at", "-pk")
    placements = (
        with_eligibility(Placement.objects.filter(programme=programme))
        .select_related("nomination__institution")
        .prefetch_related(Prefetch("mentor_assignments", queryset=assignments, to_attr="all_assignments"))
        .order_by("nomination__last_name", "nomination__first_name")
    )
    rows = []
    for placement in placements:
        active = [a for a in placement.all_assignments if a.status == MentorAssignment.Status.ACTIVE]
        rows.append(
            {
                "placement": placement,
                "assignment": active[0] if active else None,
                "ended": None if active or not placement.all_assignments else placement.all_assignments[0],
                "eligibility": eligibility_of(placement),
            }
        )
    return rows


def programme_summary(*, programme: Programme, today: date | None = None) -> dict[str, int]:
    """Counts for the programme page's mentoring section, worked out in the database (two aggregate queries).

    The same sums as over programme_mentoring's rows (a test holds them equal), without reading every
    placement and assignment of the programme into Python.
    """
    today = today or timezone.localdate()
    active_status, over = MentorAssignment.Status.ACTIVE, MentorAssignment.EndReason.PERIOD_OVER
    counts = MentorAssignment.objects.filter(placement__programme=programme).aggregate(
        active=Count("pk", filter=Q(status=active_status)),
        overdue=Count("pk", filter=Q(status=active_status, next_due_on__lt=today)),
        ended=Count("pk", filter=Q(status=MentorAssignment.Status.ENDED)),
    )
    # Ready for a mentor: eligible (eligibility_of), without one now, and not because their mentoring ran its
    # full period (one whose mentoring the coordinator ended may need a new mentor): the latest assignment,
    # in programme_mentoring's order, decides.
    latest_reason = (
        MentorAssignment.objects.filter(placement=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("ended_reason")[:1]
    )
    awaiting = (
        with_eligibility(Placement.objects.filter(programme=programme, status=Placement.Status.CONFIRMED))
        .annotate(latest_reason=Coalesce(Subquery(latest_reason), Value("")))
        .filter(Q(asked_for_mentor=True) | Q(referred=True), consent_ok=True, has_active_mentor=False)
        .exclude(latest_reason=over)
        .count()
    )
    return {**counts, "awaiting": awaiting}


def mentor_options(*, force: Force, today: date | None = None) -> tuple[list[ForcePerson], ForcePerson | None, int]:
    """The force's mentors whose vetting is in date, least loaded first, and the suggested one.

    Returns (mentors, suggestion, maximum); each mentor carries `active_count` and `at_capacity`.
    """
    today = today or timezone.localdate()
    maximum = mentoring_settings_for(force).max_mentees_per_mentor
    mentors = list(
        ForcePerson.objects.filter(force=force, is_mentor=True, is_active=True, vetting_expires_on__gte=today)
        .annotate(active_count=Count("mentees", filter=Q(mentees__status=MentorAssignment.Status.ACTIVE)))
        .order_by("active_count", "name")
    )
    for mentor in mentors:
        mentor.at_capacity = mentor.active_count >= maximum
    suggestion = next((m for m in mentors if not m.at_capacity), None)
    return mentors, suggestion, maximum


def mentor_due_list(
    *, user: AbstractBaseUser | AnonymousUser, today: date | None = None
) -> tuple[list[MentorAssignment], list[MentorAssignment]]:
    """A mentor's own active mentees, soonest due first, each with its last contact date."""
    today = today or timezone.localdate()
    person_id = scope_for(user).person_id
    assignments = (
        scoped(user, MentorAssignment)
        .filter(mentor_id=person_id)
        .select_related("placement__nomination", "placement__programme")
        .annotate(last_contact_on=Max("contacts__contacted_on"))
        .order_by(F("next_due_on").asc(nulls_last=True), "placement__nomination__last_name")
    )
    active, ended = [], []
    for assignment in assignments:
        if assignment.status == MentorAssignment.Status.ACTIVE:
            assignment.days_overdue = (today - assignment.next_due_on).days if assignment.next_due_on else None
            active.append(assignment)
        else:
            ended.append(assignment)
    return active, ended


def expected_contacts(*, starts_on: date, ends_on: date, first_within: int, every: int, until: date) -> int:
    """How many contacts the cadence asked for between the start and `until` (inclusive)."""
    end = min(until, ends_on)
    first_due = starts_on + timedelta(days=first_within)
    if end < first_due:
        return 0
    return 1 + (end - first_due).days // every


def accountability(*, force: Force, today: date | None = None) -> dict[str, list[Any]]:
    """The coordinator's dashboard: mentors by overdue count; contacts made vs expected per programme.

    Two queries, whatever the number of mentors, programmes or assignments.
    """
    today = today or timezone.localdate()
    active = Q(mentees__status=MentorAssignment.Status.ACTIVE)
    mentors = (
        ForcePerson.objects.filter(force=force, is_mentor=True)
        .annotate(
            active_count=Count("mentees", filter=active, distinct=True),
            overdue_count=Count("mentees", filter=active & Q(mentees__next_due_on__lt=today), distinct=True),
            oldest_due_on=Min("mentees__next_due_on", filter=active & Q(mentees__next_due_on__lt=today)),
        )
        .filter(Q(active_count__gt=0) | Q(is_active=True))
        .order_by("-overdue_count", "-active_count", "name")
    )
    assignments = (
        MentorAssignment.objects.filter(placement__programme__force=force)
        .annotate(contacts_made=Count("contacts", filter=Q(contacts__contacted_on__lte=today)))
        .values(
            "placement__programme_id",
            "placement__programme__title",
            "placement__programme__start_date",
            "placement__programme__mentor_first_contact_within_days",
            "placement__programme__mentor_contact_every_days",
            "starts_on",
            "ends_on",
            "ended_at",
            "status",
            "next_due_on",
            "contacts_made",
        )
    )
    programmes = {}
    for row in assignments:
        pid = row["placement__programme_id"]
        entry = programmes.setdefault(
            pid,
            {
                "pk": pid,
                "title": row["placement__programme__title"],
                "start_date": row["placement__programme__start_date"],
                "assignments": 0,
                "active": 0,
                "overdue": 0,
                "made": 0,
                "expected": 0,
            },
        )
        until = today
        if row["ended_at"] is not None:
            until = min(today, timezone.localtime(row["ended_at"]).date())
        entry["assignments"] += 1
        entry["made"] += row["contacts_made"]
        entry["expected"] += expected_contacts(
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            first_within=row["placement__programme__mentor_first_contact_within_days"],
            every=row["placement__programme__mentor_contact_every_days"],
            until=until,
        )
        if row["status"] == MentorAssignment.Status.ACTIVE:
            entry["active"] += 1
            if row["next_due_on"] is not None and row["next_due_on"] < today:
                entry["overdue"] += 1
    rows = sorted(programmes.values(), key=lambda e: e["start_date"], reverse=True)
    for entry in rows:
        entry["pct"] = round(100 * entry["made"] / entry["expected"]) if entry["expected"] else None
        entry["bar"] = min(entry["pct"] or 0, 100)
    return {"mentors": list(mentors), "programmes": rows}


# The pipeline's stages, left to right; each counts students who reached that stage at least.
PIPELINE_STAGES = [
    ("took_part", "Took part", None),
    ("mentored", "Mentored", None),
    ("cadets", "Joined cadets", [Outcome.Milestone.JOINED_CADETS]),
    ("specials", "Volunteer cadets or specials", [Outcome.Milestone.JOINED_SPECIALS]),
    ("applied", "Applied to the force", [Outcome.Milestone.APPLIED_OFFICER, Outcome.Milestone.APPLIED_STAFF]),
    ("recruited", "Recruited", [Outcome.Milestone.RECRUITED]),
]
OTHER_OUTCOMES = [
    ("other_career", "Chose another career", Outcome.Milestone.OTHER_CAREER),
    ("lost_contact", "Lost contact", Outcome.Milestone.LOST_CONTACT),
]


def pipeline(*, force: Force) -> list[Programme]:
    """Students per pipeline stage for each of the force's programmes with mentoring or outcomes (one query)."""
    counts = {}
    for stage, _label, milestones in PIPELINE_STAGES[2:]:
        counts[stage] = Count(
            "placements__outcomes__placement", filter=Q(placements__outcomes__milestone__in=milestones), distinct=True
        )
    for key, _label, milestone in OTHER_OUTCOMES:
        counts[key] = Count(
            "placements__outcomes__placement", filter=Q(placements__outcomes__milestone=milestone), distinct=True
        )
    programmes = (
        Programme.objects.filter(force=force)
        .annotate(
            took_part=Count("placements", filter=Q(placements__status=Placement.Status.CONFIRMED), distinct=True),
            mentored=Count("placements__mentor_assignments__placement", distinct=True),
            **counts,
        )
        .filter(Q(mentored__gt=0) | Exists(Outcome.objects.filter(placement__programme=OuterRef("pk"))))
        .order_by("start_date")
    )
    programmes = list(programmes)
    for programme in programmes:
        # Each figure beside its heading, so the table's phone card can name what each number counts.
        programme.figures = [(label, getattr(programme, key)) for key, label, _m in (*PIPELINE_STAGES, *OTHER_OUTCOMES)]
    return programmes


CHART_PROGRAMMES = 8  # the newest programmes drawn; the table below the chart has every one


def pipeline_chart(
    programmes: list[Programme],
    *,
    width: int = 640,
    row_height: int = 22,
    gap: int = 18,
    label_width: int = 210,
    limit: int = CHART_PROGRAMMES,
) -> dict[str, Any]:
    """Geometry for a server-rendered SVG: one group of horizontal bars per programme, one bar per stage,
    for the newest `limit` programmes (a force's whole history would be a chart nobody can read).

    The template writes the coordinates with localisation off: "1,200" would be no coordinate.
    """
    stages = PIPELINE_STAGES
    drawn = programmes[-limit:]
    biggest = max([getattr(p, key) for p in drawn for key, _l, _m in stages] or [0]) or 1
    bar_space = width - label_width - 40
    groups = []
    y = 0
    for programme in drawn:
        bars = []
        for index, (key, label, _m) in enumerate(stages):
            value = getattr(programme, key)
            bar_y = y + 20 + index * row_height
            bars.append(
                {
                    "key": key,
                    "label": label,
                    "value": value,
                    "rect_y": bar_y + 2,
                    "text_y": bar_y + 14,
                    "width": max(round(bar_space * value / biggest), 1 if value else 0),
                    "text_x": label_width + max(round(bar_space * value / biggest), 0) + 6,
                }
            )
        groups.append({"programme": programme, "text_y": y + 14, "bars": bars})
        y += 20 + len(stages) * row_height + gap
    title_chars = max(20, width // 8)
    return {
        "width": width,
        "height": max(y, 40),
        "label_width": label_width,
        "label_x": label_width - 8,
        "groups": groups,
        "title_chars": title_chars,
        "drawn": len(drawn),
        "left_out": len(programmes) - len(drawn),
    }
