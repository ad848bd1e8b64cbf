"""Reads for certificates: who is eligible, hours attended, and the certificate lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.scoping import scoped
from placements.models import Attendance, Placement, Session
from placements.tasklist import shared_facts

from .models import Certificate, CertificateTemplate, IssueJob

if TYPE_CHECKING:
    from datetime import date

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from placements.models import Programme

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)
# Used only when a programme has no timetable: a placement day is taken as 6 hours.
FALLBACK_DAY_HOURS = Decimal("6")
# A job whose row has not moved for this long lost its worker (the task's hard limit is shorter).
STALE_JOB_AFTER = timedelta(minutes=10)


@dataclass
class EligibilityRow:
    placement: Placement
    days_attended: int
    days_total: int
    hours: Decimal | None  # None when asked without hours
    eligible: bool
    reason: str
    certificate: Certificate | None = None

    @property
    def name(self) -> str:
        return self.placement.nomination.full_name

    @property
    def has_valid_certificate(self) -> bool:
        return self.certificate is not None and self.certificate.status == Certificate.Status.VALID

    @property
    def to_issue(self) -> bool:
        """Eligible and holding no valid certificate: never had one, or theirs was revoked and not reissued."""
        return self.eligible and not self.has_valid_certificate

    @property
    def percent(self) -> int:
        return round(100 * self.days_attended / self.days_total) if self.days_total else 0


def template_for_programme(programme: Programme) -> CertificateTemplate | None:
    return CertificateTemplate.objects.filter(force_id=programme.force_id, programme_kind=programme.kind).first()


def certificate_template(programme: Programme) -> CertificateTemplate | None:
    """The programme's template, read once per programme object: its task-list step and its section share it."""
    return shared_facts(programme, "certificates:template", lambda: template_for_programme(programme))


def _session_hours_by_day(programme: Programme) -> dict[tuple[int | None, date], Decimal] | None:
    """{(syndicate_id or None, date): hours} for the programme's planned sessions; None means everyone."""
    hours = defaultdict(Decimal)
    sessions = Session.objects.filter(programme=programme, status=Session.Status.PLANNED).prefetch_related("syndicates")
    found = False
    for session in sessions:
        found = True
        day = timezone.localtime(session.starts_at).date()
        length = Decimal((session.ends_at - session.starts_at).total_seconds()) / Decimal(3600)
        syndicate_ids = [s.pk for s in session.syndicates.all()] or [None]
        for syndicate_id in syndicate_ids:
            hours[(syndicate_id, day)] += length
    return hours if found else None


def programme_eligibility(*, programme: Programme, hours: bool = True) -> list[EligibilityRow]:
    """Every confirmed or withdrawn placement with its attendance, hours and whether it earns a certificate.

    Eligible: days attended (present or late) ≥ the programme's threshold share of its working days.
    Hours: the planned timetable sessions of the student's syndicate (and whole-cohort sessions) on
    the days they attended; if the programme has no timetable, 6 hours per day attended. Pages that
    show no hours pass `hours=False`: the timetable is then not read and each row's hours is None.
    """
    return _eligibility(programme, hours=hours)[0]


def _eligibility(programme: Programme, *, hours: bool) -> tuple[list[EligibilityRow], list[Certificate]]:
    """The eligibility rows, and every certificate of the programme (read for the rows anyway)."""
    days = programme.days
    day_set = set(days)
    placements = list(
        Placement.objects.filter(programme=programme)
        .select_related("nomination__institution", "nomination__erasure", "syndicate")
        .order_by("nomination__last_name", "nomination__first_name", "pk")
    )
    attended = defaultdict(set)
    recorded = set()
    for placement_id, day, status in Attendance.objects.filter(placement__programme=programme).values_list(
        "placement_id", "date", "status"
    ):
        recorded.add(placement_id)
        if status in ATTENDED and day in day_set:
            attended[placement_id].add(day)
    # Each placement's valid certificate, or else its latest revoked one (revoked and not reissued).
    issued = list(Certificate.objects.filter(placement__programme=programme).order_by("issued_at", "pk"))
    certificates = {}
    for certificate in issued:
        held = certificates.get(certificate.placement_id)
        if held is None or held.status != Certificate.Status.VALID:
            certificates[certificate.placement_id] = certificate
    session_hours = _session_hours_by_day(programme) if hours else None
    threshold = programme.attendance_threshold_pct
    rows = []
    for placement in placements:
        own_days = attended[placement.pk]
        count = len(own_days)
        if not hours:
            placement_hours = None
        elif session_hours is None:
            placement_hours = (FALLBACK_DAY_HOURS * count).quantize(Decimal("0.1"))
        else:
            placement_hours = sum(
                (session_hours.get((placement.syndicate_id, d), 0) + session_hours.get((None, d), 0) for d in own_days),
                Decimal(0),
            ).quantize(Decimal("0.1"))
        needed = -(-threshold * len(days) // 100)  # ceiling, in whole days
        if hasattr(placement.nomination, "erasure"):
            eligible, reason = False, "Personal data erased"
        elif placement.status == Placement.Status.WITHDRAWN:
            eligible, reason = False, "Withdrawn from the programme"
        elif placement.pk not in recorded:
            eligible, reason = False, "No attendance recorded"
        elif count * 100 < threshold * len(days):
            eligible = False
            reason = f"Attended {count} of {len(days)} days; needs {needed} ({threshold}%)"
        else:
            eligible, reason = True, ""
        rows.append(
            EligibilityRow(
                placement=placement,
                days_attended=count,
                days_total=len(days),
                hours=placement_hours,
                eligible=eligible,
                reason=reason,
                certificate=certificates.get(placement.pk),
            )
        )
    return rows, issued


def placements_to_issue(
    *, programme: Programme, include_revoked: bool = True, hours: bool = True
) -> list[EligibilityRow]:
    """Eligible placements without a valid certificate: never issued, or (unless left out) revoked and not reissued."""
    rows = [row for row in programme_eligibility(programme=programme, hours=hours) if row.to_issue]
    return rows if include_revoked else [row for row in rows if row.certificate is None]


def reissue_refusal(*, certificate: Certificate) -> str | None:
    """Why a corrected certificate cannot be issued in place of this one, in words; None if it can.

    A valid certificate can always be replaced. A revoked one can be once, if the student holds no
    valid certificate and is still eligible (not withdrawn, not erased, attended enough).
    """
    if certificate.status == Certificate.Status.VALID:
        return None
    replacement = Certificate.objects.filter(replaces=certificate).first()
    if replacement is not None:
        return f"Certificate {certificate.serial:06d} was already replaced by certificate {replacement.serial:06d}."
    valid = Certificate.objects.filter(placement_id=certificate.placement_id, status=Certificate.Status.VALID).first()
    if valid is not None:
        return f"This student already holds a valid certificate, {valid.serial:06d}."
    programme = certificate.placement.programme
    rows = programme_eligibility(programme=programme, hours=False)
    row = next(r for r in rows if r.placement.pk == certificate.placement_id)
    if not row.eligible:
        return f"This student is not due a certificate: {row.reason}."
    return None


def latest_job(*, programme: Programme) -> IssueJob | None:
    return IssueJob.objects.filter(programme=programme).first()


def certificate_list(
    *,
    user: AbstractBaseUser | AnonymousUser,
    programme: Programme,
    order: str = "alphabetical",
    include_revoked: bool = True,
) -> QuerySet[Certificate]:
    """The programme's certificates the user may see, in ceremony order (syndicate or alphabetical).

    Each is annotated `student_holds_valid`: whether its student has a valid certificate (this or another).
    """
    queryset = scoped(user, Certificate).filter(placement__programme=programme)
    if not include_revoked:
        queryset = queryset.filter(status=Certificate.Status.VALID)
    queryset = queryset.select_related(
        "placement__nomination__institution", "placement__syndicate", "replaces", "replaced_by"
    ).annotate(
        student_holds_valid=Exists(
            Certificate.objects.filter(placement_id=OuterRef("placement_id"), status=Certificate.Status.VALID)
        )
    )
    if order == "syndicate":
        return queryset.order_by("placement__syndicate__name", "printed_name", "serial")
    return queryset.order_by("placement__nomination__last_name", "placement__nomination__first_name", "serial")


def section_context(programme: Programme, request: HttpRequest) -> dict[str, Any]:
    """The Certificates section of the coordinator's programme page."""
    rows, issued = _eligibility(programme, hours=False)  # the section shows no hours
    counts = {
        "valid": sum(1 for c in issued if c.status == Certificate.Status.VALID),
        "revoked": sum(1 for c in issued if c.status == Certificate.Status.REVOKED),
    }
    return {
        "template": certificate_template(programme),
        "eligible": [row for row in rows if row.eligible],
        "ineligible": [row for row in rows if not row.eligible],
        "to_issue": sum(1 for row in rows if row.to_issue),
        "revoked_to_issue": sum(1 for row in rows if row.to_issue and row.certificate is not None),
        "counts": counts,
        "job": latest_job(programme=programme),
        "ended": programme.end_date <= timezone.localdate(),
    }
