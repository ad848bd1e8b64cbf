"""Nominations: submit, import, edit and withdraw, within the window and the quota."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from placements.models import Placement, Programme

from ..models import (
    NOMINATION_FIELDS,
    Allocation,
    Consent,
    ConsentLink,
    Nomination,
)
from ._common import (
    HOLDING_PLACE,
    QUOTA_STATUSES_EXCLUDED,
    SchoolsError,
    _contact_emails,
    _send,
    _set_status,
)
from .consent import consent_link_send
from .offers import _place_released
from .weeks import round_weeks, week_choices_check

logger = logging.getLogger(__name__)


def age_band_text(programme):
    if programme.max_age is None:
        return f"{programme.min_age} or over"
    return f"{programme.min_age} to {programme.max_age}"


def _check_student(programme, data):
    dob = data["date_of_birth"]
    start = programme.start_date
    age = start.year - dob.year - ((start.month, start.day) < (dob.month, dob.day))
    if age < programme.min_age or (programme.max_age is not None and age > programme.max_age):
        raise SchoolsError(
            f"On {start:%-d %B %Y} this student will be {age}; this programme is for ages {age_band_text(programme)}.",
            field="date_of_birth",
        )
    if age >= 18 and not data.get("student_email"):
        raise SchoolsError(
            "Adult students confirm consent themselves: give the student's email.", field="student_email"
        )
    if age < 18 and not data.get("guardian_email"):
        raise SchoolsError("A parent or guardian's email is needed for consent.", field="guardian_email")
    if age < 18 and not data.get("guardian_name"):
        raise SchoolsError("Give the parent or guardian's name.", field="guardian_name")


def _check_window(programme, today):
    if programme.status in (Programme.Status.CANCELLED, Programme.Status.COMPLETED):
        raise SchoolsError(f"{programme.title} is {programme.get_status_display().lower()}.", status=409)
    if not programme.nominations_open_on(today):
        if today < programme.nomination_opens:
            when = f"opens on {programme.nomination_opens:%-d %B %Y}"
        else:
            when = f"closed on {programme.nomination_closes:%-d %B %Y}"
        raise SchoolsError(f"Nominations for {programme.title} {when}.", status=409)


def _round_programmes(programme):
    """The programme, or every week of its round: a round's quotas and duplicates count across them all."""
    return [week.pk for week in round_weeks(programme)] or [programme.pk]


def _check_home_week(programme):
    if programme.week_group_id and programme.week_group.home_id != programme.pk:
        raise SchoolsError(
            f"{programme.title} is linked with other weeks: nominate through {programme.week_group.home.title}, "
            "and give the student's choice of weeks there.",
            status=409,
        )


def _check_not_in_another_week(programme, weeks, institution, data, exclude=None):
    """The unique constraint covers one programme; in a round a student offered a week has moved to it."""
    if len(weeks) < 2 or not data.get("first_name") or not data.get("date_of_birth"):
        return
    twins = Nomination.objects.filter(
        programme__in=weeks,
        institution=institution,
        first_name__iexact=data["first_name"],
        last_name__iexact=data.get("last_name") or "",
        date_of_birth=data["date_of_birth"],
    )
    if exclude is not None:
        twins = twins.exclude(pk=exclude.pk)
    if twins.exists():
        raise _duplicate_error()


def _duplicate_error():
    return SchoolsError(
        "This student (same name and date of birth) has already been nominated to this programme.", field="last_name"
    )


@transaction.atomic
def nomination_submit(*, allocation, data, actor, today=None):
    """Nominate one student under an institution's allocation; checks window, quota, age band, duplicates."""
    today = today or timezone.localdate()
    # Lock the allocation row so two contacts cannot both take the last quota place.
    allocation = (
        Allocation.objects.select_for_update().select_related("programme__force", "institution").get(pk=allocation.pk)
    )
    programme, institution = allocation.programme, allocation.institution
    _check_window(programme, today)
    _check_home_week(programme)
    weeks = _round_programmes(programme)
    used = (
        Nomination.objects.filter(programme__in=weeks, institution=institution)
        .exclude(status__in=QUOTA_STATUSES_EXCLUDED)
        .count()
    )
    if used >= allocation.quota:
        raise SchoolsError(
            f"{institution.name} has used all {allocation.quota} of its places for {programme.title}.", status=409
        )
    _check_student(programme, data)
    week_choices = week_choices_check(programme=programme, choices=data.get("week_choices"))
    _check_not_in_another_week(programme, weeks, institution, data)
    values = {name: data.get(name) for name in NOMINATION_FIELDS if name in data}
    for name in ("pronouns", "gender", "student_email", "support_needs", "medical_notes", "guardian_name"):
        values[name] = values.get(name) or ""
    values["guardian_email"] = values.get("guardian_email") or ""
    values["reason"] = values.get("reason") or ""
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                programme=programme,
                institution=institution,
                submitted_by=actor,
                status_changed_at=timezone.now(),
                week_choices=week_choices,
                **values,
            )
    except IntegrityError:
        raise _duplicate_error() from None
    nomination.programme = programme
    consent = Consent.objects.create(
        nomination=nomination,
        relationship=Consent.Relationship.SELF if nomination.is_adult else Consent.Relationship.GUARDIAN,
        requested_at=timezone.now(),
    )
    consent_link_send(consent=consent, purpose=ConsentLink.Purpose.REQUEST)
    _send(
        "nomination_received",
        [actor.email] if actor and actor.email else _contact_emails(institution),
        context={"nomination": nomination, "programme": programme},
        key=f"nomination-received-{nomination.pk}",
        force=programme.force,
        about=[nomination],
    )
    return nomination


class NominationImportError(SchoolsError):
    """Rows of an upload broke a rule; nothing was saved. `errors` is [(row, column, message)]."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} problems; nothing was saved.")
        self.errors = errors


@transaction.atomic
def nominations_import(*, allocation, rows, actor, today=None):
    """Nominate every row of an upload, or none: one broken rule rolls the whole file back."""
    errors = []
    for number, data in rows:
        try:
            nomination_submit(allocation=allocation, data=data, actor=actor, today=today)
        except SchoolsError as error:
            errors.append((number, error.field or "—", error.message))
    if errors:
        raise NominationImportError(errors)
    return len(rows)


@transaction.atomic
def nomination_update(*, nomination, data, actor, today=None):
    """Change a nomination's details while the window is open; a new guardian email gets a new link."""
    today = today or timezone.localdate()
    nomination = (
        Nomination.objects.select_for_update().select_related("programme__force", "institution").get(pk=nomination.pk)
    )
    if nomination.status != Nomination.Status.SUBMITTED:
        raise SchoolsError("This nomination can no longer be changed: selection has started.", status=409)
    _check_window(nomination.programme, today)
    _check_student(nomination.programme, data)
    if "week_choices" in data:
        nomination.week_choices = week_choices_check(programme=nomination.programme, choices=data["week_choices"])
    weeks = _round_programmes(nomination.programme)
    _check_not_in_another_week(nomination.programme, weeks, nomination.institution, data, exclude=nomination)
    old_email = nomination.consent_email
    for name in NOMINATION_FIELDS:
        if name in data:
            setattr(nomination, name, data[name] if data[name] is not None else "")
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise _duplicate_error() from None
    consent = getattr(nomination, "consent", None)
    if consent and consent.status == Consent.Status.REQUESTED and nomination.consent_email != old_email:
        consent.links.all().delete()
        consent.relationship = Consent.Relationship.SELF if nomination.is_adult else Consent.Relationship.GUARDIAN
        consent.save(update_fields=["relationship"])
        consent_link_send(consent=consent, purpose=ConsentLink.Purpose.REQUEST)
    logger.info("Nomination %s changed by %s", nomination.pk, actor)
    return nomination


@transaction.atomic
def nomination_withdraw(*, nomination, actor, today=None):
    """Withdraw a nomination (the institution's choice); frees the quota place and any offered place."""
    nomination = Nomination.objects.select_for_update().select_related("programme__force").get(pk=nomination.pk)
    if nomination.status == Nomination.Status.WITHDRAWN:
        return nomination
    held_place = nomination.status in HOLDING_PLACE
    _set_status(nomination, Nomination.Status.WITHDRAWN, waitlist_rank=None)
    Placement.objects.filter(nomination=nomination).update(status=Placement.Status.WITHDRAWN)
    if held_place:
        _place_released(nomination, why="withdrawn", actor=actor, today=today)
    return nomination
