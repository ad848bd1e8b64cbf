"""Partners of a force's programmes (the county council, a university venue, community groups, a
sponsor), their people, their roles on a programme, the multi-partner meetings' action log, and the
documents a programme runs on (risk assessments, insurance, venue agreements).

Partner people are adults contacted at work: we keep the least needed to reach them (name, job,
work email and phone). Nothing here names a child.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import EmailedInvitation

from .storage import private_files

# A document whose expiry falls within this many days is "expiring soon" on the coordinator's pages.
EXPIRING_WITHIN_DAYS = 30


class Organisation(models.Model):
    """A partner organisation of one force."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Local authority (council)"
        UNIVERSITY = "university", "University or college"
        COMMUNITY = "community", "Community group or charity"
        SPONSOR = "sponsor", "Sponsor or funder"
        BUSINESS = "business", "Business or employer"
        OTHER = "other", "Other"

    force = models.ForeignKey("placements.Force", on_delete=models.CASCADE, related_name="partner_organisations")
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMUNITY)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["force", "name"], name="partner_organisation_unique_name")]

    def __str__(self):
        return self.name


class PartnerPerson(models.Model):
    """Someone at a partner organisation: the least needed to reach them at work."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=120)
    role = models.CharField("job or role", max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="partner_person"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "partner person"
        verbose_name_plural = "partner people"

    def __str__(self):
        return f"{self.name} ({self.organisation})" if self.organisation_id else self.name


class PartnerInvitation(EmailedInvitation):
    """An emailed, single-use link for a partner person to get a sign-in (7 days); only its hash is stored."""

    person = models.ForeignKey(PartnerPerson, on_delete=models.CASCADE, related_name="invitations")

    class Meta(EmailedInvitation.Meta):
        verbose_name = "partner's invitation to sign in"

    def __str__(self):
        return f"Invitation to sign in for {self.person.name}"


class ProgrammePartner(models.Model):
    """An organisation's role on one programme (venue provider, sponsor …)."""

    class Role(models.TextChoices):
        VENUE = "venue", "Venue provider"
        RISK_ASSESSMENT = "risk_assessment", "Risk-assessment owner"
        SCHOOL_SELECTION = "school_selection", "School selection partner"
        COMMUNITY = "community", "Community contributor"
        SPONSOR = "sponsor", "Sponsor"

    programme = models.ForeignKey("placements.Programme", on_delete=models.CASCADE, related_name="partner_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="programme_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    contact = models.ForeignKey(
        PartnerPerson, null=True, blank=True, on_delete=models.SET_NULL, related_name="programme_roles"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["programme", "role", "organisation__name"]
        verbose_name = "partner's role on a programme"
        constraints = [
            models.UniqueConstraint(fields=["programme", "organisation", "role"], name="programme_partner_role_once")
        ]

    def __str__(self):
        return f"{self.organisation}: {self.get_role_display()} for {self.programme}"


class Meeting(models.Model):
    """A partners' meeting of a programme (launch, a milestone): who came, what was said."""

    programme = models.ForeignKey("placements.Programme", on_delete=models.CASCADE, related_name="partner_meetings")
    held_on = models.DateField()
    title = models.CharField(max_length=160)
    attendees = models.TextField(blank=True, help_text="Who came, one a line or separated by commas.")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "partners' meeting"

    def __str__(self):
        return f"{self.title} on {self.held_on:%d %B %Y}"


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Action.State.OPEN)

    def due_by(self, day: date):
        """Open actions and milestones due on or before `day`."""
        return self.open().filter(due_on__lte=day)


class Action(models.Model):
    """One line of a programme's action log: an action or a milestone, its owner, due date and state."""

    class Kind(models.TextChoices):
        ACTION = "action", "Action"
        MILESTONE = "milestone", "Milestone"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    programme = models.ForeignKey("placements.Programme", on_delete=models.CASCADE, related_name="partner_actions")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ACTION)
    title = models.CharField(max_length=200)
    owner_person = models.ForeignKey(
        "placements.ForcePerson", null=True, blank=True, on_delete=models.PROTECT, related_name="partner_actions"
    )
    owner_partner = models.ForeignKey(
        PartnerPerson, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    due_on = models.DateField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN, db_index=True)
    closed_on = models.DateField(null=True, blank=True)
    # The due date the owner was last reminded of: a reminder goes once per due date (moved: once more).
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["state", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_person__isnull=False) & Q(owner_partner__isnull=True))
                | (Q(owner_person__isnull=True) & Q(owner_partner__isnull=False)),
                name="partner_action_one_owner",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} “{self.title}” due {self.due_on:%d %B %Y}"

    @property
    def owner(self):
        return self.owner_person or self.owner_partner

    @property
    def owner_name(self):
        owner = self.owner
        return owner.name if owner is not None else ""

    def is_overdue(self, today: date | None = None) -> bool:
        return self.state == self.State.OPEN and self.due_on < (today or timezone.localdate())


class DocumentRules(models.Model):
    """A force's rule for timetabling: whether an activity needs an approved, unexpired risk assessment."""

    force = models.OneToOneField("placements.Force", on_delete=models.CASCADE, related_name="document_rules")
    risk_assessment_required = models.BooleanField(
        default=True,
        help_text="An activity is timetabled only with an approved risk assessment in date (or a recorded reason).",
    )

    class Meta:
        verbose_name = "document rules"
        verbose_name_plural = "document rules"

    def __str__(self):
        return f"Document rules of {self.force}"


ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
}


class DocumentQuerySet(models.QuerySet):
    def approved_on(self, day: date):
        """Approved documents in date on `day`."""
        return self.filter(approved_at__isnull=False, expires_on__gte=day)


class Document(models.Model):
    """A file a programme runs on, with an owner, an approval and an expiry."""

    class Kind(models.TextChoices):
        RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
        INSURANCE = "insurance", "Insurance"
        VENUE_AGREEMENT = "venue_agreement", "Venue agreement"
        OTHER = "other", "Other document"

    force = models.ForeignKey("placements.Force", on_delete=models.CASCADE, related_name="partner_documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=160)
    activity = models.ForeignKey(
        "placements.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    programme = models.ForeignKey(
        "placements.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="partner_documents"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    owner = models.ForeignKey(
        "placements.ForcePerson", null=True, blank=True, on_delete=models.SET_NULL, related_name="partner_documents"
    )
    file = models.FileField(upload_to="documents/%Y/%m/", storage=private_files, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    expires_on = models.DateField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["expires_on", "title"]
        indexes = [models.Index(fields=["force", "kind", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="risk_assessment") | Q(activity__isnull=False),
                name="partner_risk_assessment_has_activity",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="partner_document_not_empty"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def type_in_words(self):
        return ALLOWED_TYPES.get(self.content_type, "File")

    def state_on(self, day: date) -> str:
        if self.expires_on < day:
            return "expired"
        if self.approved_at is None:
            return "awaiting"
        if self.expires_on <= day + timedelta(days=EXPIRING_WITHIN_DAYS):
            return "expiring"
        return "approved"

    def state_in_words(self, day: date | None = None) -> str:
        day = day or timezone.localdate()
        state = self.state_on(day)
        if state == "expired":
            return f"Expired on {self.expires_on.day} {self.expires_on:%B %Y}"
        if state == "awaiting":
            return "Waiting for approval"
        if state == "expiring":
            return f"Approved; expires on {self.expires_on.day} {self.expires_on:%B %Y}"
        return f"Approved until {self.expires_on.day} {self.expires_on:%B %Y}"


class RiskAssessmentOverride(models.Model):
    """A coordinator's recorded reason to timetable an activity on one programme without a risk assessment."""

    programme = models.ForeignKey("placements.Programme", on_delete=models.CASCADE, related_name="risk_overrides")
    activity = models.ForeignKey("placements.Activity", on_delete=models.CASCADE, related_name="risk_overrides")
    reason = models.TextField()
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    given_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = "timetabling without a risk assessment"
        verbose_name_plural = "timetabling without a risk assessment"
        constraints = [
            models.UniqueConstraint(fields=["programme", "activity"], name="risk_override_once_per_activity"),
        ]

    def __str__(self):
        return f"{self.activity} timetabled without a risk assessment on {self.programme}"
