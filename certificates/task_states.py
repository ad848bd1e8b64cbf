"""Certificates' step of the programme's task list: issue a certificate to each student who earned one."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from placements.models import Placement, Programme
from placements.tasklist import (
    CANNOT_START,
    DONE,
    IN_PROGRESS,
    NEEDS_ATTENTION,
    NOT_DONE,
    NOT_STARTED,
    ProgrammeTask,
    TaskState,
    day_text,
    plural,
    register_programme_task,
    shared_facts,
)

from .models import Certificate
from .selectors import ATTENDED, certificate_template


def certificate_facts(programme: Programme, today: date) -> dict[str, Any]:
    """Whether there is a template, who earned a certificate and who has one: two queries.

    Earned as in `selectors.programme_eligibility`: a confirmed place, personal data not erased,
    attendance recorded, and days attended at least the programme's threshold share of its days.
    """

    def compute():
        days = programme.days
        rows = (
            Placement.objects.filter(
                programme=programme, status=Placement.Status.CONFIRMED, nomination__erasure__isnull=True
            )
            .annotate(
                recorded=Count("attendance", distinct=True),
                attended=Count(
                    "attendance", filter=Q(attendance__status__in=ATTENDED, attendance__date__in=days), distinct=True
                ),
                issued=Exists(Certificate.objects.filter(placement=OuterRef("pk"))),
                valid=Exists(Certificate.objects.filter(placement=OuterRef("pk"), status=Certificate.Status.VALID)),
            )
            .values_list("recorded", "attended", "issued", "valid")
        )
        threshold = programme.attendance_threshold_pct
        students = earned = to_issue = valid = 0
        for recorded, attended, issued, is_valid in rows:
            students += 1
            valid += is_valid
            if recorded and attended * 100 >= threshold * len(days):
                earned += 1
                to_issue += not issued
        has_template = certificate_template(programme) is not None
        return {"students": students, "earned": earned, "to_issue": to_issue, "valid": valid, "template": has_template}

    return shared_facts(programme, f"certificates:{today}", compute)


def certificates_state(programme: Programme, today: date) -> TaskState:
    url = reverse("certificates:programme_certificates", args=[programme.pk])
    if today < programme.end_date:
        return TaskState(CANNOT_START, f"Opens on the last day, {day_text(programme.end_date, today)}", url)
    facts = certificate_facts(programme, today)
    if not facts["students"]:
        return TaskState(NOT_DONE, "Nobody had a place", url)
    if not facts["template"]:
        return TaskState(
            NEEDS_ATTENTION,
            f"There is no certificate template for {programme.get_kind_display().lower()}s yet",
            reverse("certificates:template_create"),
        )
    valid, to_issue = facts["valid"], facts["to_issue"]
    if to_issue and not valid:
        return TaskState(NOT_STARTED, f"{plural(to_issue, 'student')} earned a certificate", url)
    if to_issue:
        return TaskState(IN_PROGRESS, f"{valid} issued; {to_issue} still to issue", url)
    if not facts["earned"]:
        return TaskState(DONE, "Nobody attended enough days to earn a certificate", url)
    return TaskState(DONE, f"{plural(valid, 'certificate')} issued", url)


def register() -> None:
    register_programme_task(
        ProgrammeTask(
            order=130,
            key="certificates",
            title="Certificates",
            state_fn=certificates_state,
            action="Issue the certificates",
        )
    )
