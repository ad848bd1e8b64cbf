from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.languages import LANGUAGE_CHOICES
from core.links import new_token_salt
from core.models import EmailedInvitation


class Institution(models.Model):
    """A school, college or university that may nominate students to a force's programmes."""

    class Kind(models.TextChoices):
        SCHOOL = "school", "School"
        COLLEGE = "college", "College"
        UNIVERSITY = "university", "University"

    force = models.ForeignKey("placements.Force", on_delete=models.CASCADE, related_name="institutions")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SCHOOL)
    code = models.CharField(max_length=20, blank=True, help_text="URN for schools, or another official code.")
    local_authority = models.CharField(max_length=120, blank=True)
    area = models.CharField(max_length=10, blank=True, help_text="Postcode district, e.g. SG1.")
    is_send = models.BooleanField("SEND/LDD school", default=False)
    fsm_pct = models.DecimalField(
        "free school meals %",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Share of pupils eligible for free school meals.",
    )
    idaci_decile = models.PositiveSmallIntegerField(
        "IDACI decile", null=True, blank=True, help_text="1 = most deprived 10% of areas, 10 = least."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["force", "is_active"])]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "code"], condition=~Q(code=""), name="institution_unique_code_per_force"
            ),
            models.CheckConstraint(
                condition=Q(fsm_pct__isnull=True) | Q(fsm_pct__gte=0, fsm_pct__lte=100),
                name="institution_fsm_pct_range",
            ),
            models.CheckConstraint(
                condition=Q(idaci_decile__isnull=True) | Q(idaci_decile__gte=1, idaci_decile__lte=10),
                name="institution_idaci_decile_range",
            ),
        ]

    def __str__(self):
        return self.name


class InstitutionContact(models.Model):
    """A teacher, careers lead or module leader who nominates students for their institution."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="contacts")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="institution_contact"
    )
    name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("email"), "institution", name="institution_contact_unique_email")]

    def __str__(self):
        return f"{self.name} ({self.institution})"


class Allocation(models.Model):
    """An institution chosen (with the county council) to nominate to a programme, and its quota."""

    programme = models.ForeignKey("placements.Programme", on_delete=models.CASCADE, related_name="allocations")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="allocations")
    quota = models.PositiveIntegerField(help_text="How many students this institution may nominate.")

    class Meta:
        ordering = ["programme", "institution"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "institution"], name="allocation_one_per_institution"),
            models.CheckConstraint(condition=Q(quota__gt=0), name="allocation_quota_positive"),
        ]

    def __str__(self):
        return f"{self.institution} → {self.programme} ({self.quota})"


class NominationQuerySet(models.QuerySet):
    def for_programme(self, programme):
        return self.filter(programme=programme)

    def live(self):
        """Nominations still in the running (not withdrawn or declined)."""
        return self.exclude(status__in=[Nomination.Status.WITHDRAWN, Nomination.Status.DECLINED])


class Nomination(models.Model):
    """A student put forward by their institution, as the institution submitted them."""

    # Special-category data (health, disability): every read is audited, and no admin search,
    # filter, column or query-string lookup may use them.
    SPECIAL_CATEGORY_FIELDS = ("medical_notes", "support_needs")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        OFFERED = "offered", _("Offered a place")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WAITLISTED = "waitlisted", _("Waiting list")
        NOT_SELECTED = "not_selected", _("Not selected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        NON_BINARY = "non_binary", _("Non-binary")
        OTHER = "other", _("Other")
        NOT_SAID = "", _("Prefer not to say")

    programme = models.ForeignKey("placements.Programme", on_delete=models.PROTECT, related_name="nominations")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="nominations")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    year_group = models.CharField(max_length=30, help_text="e.g. Year 10, or Level 5 for undergraduates.")
    pronouns = models.CharField(max_length=30, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    student_email = models.EmailField(blank=True, help_text="Adults only: where their own consent link goes.")
    support_needs = models.TextField(
        blank=True, help_text="Support needs and reasonable adjustments. Seen by coordinators and the syndicate lead."
    )
    medical_notes = models.TextField(blank=True, help_text="Restricted: coordinators only.")
    emergency_contact_name = models.CharField(max_length=120)
    emergency_contact_phone = models.CharField(max_length=30)
    guardian_name = models.CharField(max_length=120, blank=True)
    guardian_email = models.EmailField(blank=True)
    preferred_language = models.CharField(
        "language for the family's emails and pages",
        max_length=8,
        choices=LANGUAGE_CHOICES,
        blank=True,
        help_text="Leave empty for the force's usual language.",
    )
    reason = models.TextField("why this student would benefit", blank=True)
    police_first_choice = models.BooleanField("police was the student's first choice of placement", default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    offer_deadline = models.DateField(null=True, blank=True, help_text="The institution answers an offer by this day.")
    waitlist_rank = models.PositiveIntegerField(null=True, blank=True, help_text="1 = next to be offered a place.")
    selection_reason = models.CharField(max_length=300, blank=True)
    # Linked weeks only: the weeks (programme ids of the round) the student can do, first choice first;
    # empty means any week. Checked against the round when saved (services.nominations).
    week_choices = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["institution", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("first_name"),
                Lower("last_name"),
                "date_of_birth",
                "institution",
                "programme",
                name="nomination_unique_student_per_programme",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_adult(self):
        return self.age_on(self.programme.start_date) >= 18

    @property
    def consent_email(self):
        """Where the consent link goes: the guardian, or an adult student themself."""
        return self.student_email if self.is_adult else self.guardian_email

    def age_on(self, day):
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


# What a school submits about a student, in the order the form asks: the form, the CSV upload and
# the edit service all take this list.
NOMINATION_FIELDS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "year_group",
    "pronouns",
    "gender",
    "student_email",
    "support_needs",
    "medical_notes",
    "emergency_contact_name",
    "emergency_contact_phone",
    "guardian_name",
    "guardian_email",
    "preferred_language",
    "reason",
    "police_first_choice",
]
# The personal ones: masked in the audit trail and blanked when a student is erased (declared in
# schools/privacy.py). Year group and first choice stay, since reports count them.
NOMINATION_PERSONAL_FIELDS = [name for name in NOMINATION_FIELDS if name not in ("year_group", "police_first_choice")]


class Consent(models.Model):
    """A guardian's (or an adult student's own) consent for one nomination, item by item.

    The wording shown is stored with the answer, so what was agreed to can be proven later.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        GIVEN = "given", _("Given")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Relationship(models.TextChoices):
        GUARDIAN = "guardian", _("Parent or guardian")
        SELF = "self", _("The student (adult)")

    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="consent")
    relationship = models.CharField(max_length=20, choices=Relationship.choices, default=Relationship.GUARDIAN)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    respondent_name = models.CharField(max_length=120, blank=True)
    participation = models.BooleanField(default=False)
    photos_media = models.BooleanField(default=False)
    data_processing = models.BooleanField(default=False)
    mentoring_contact = models.BooleanField(default=False)
    wording = models.TextField(blank=True, help_text="The consent text exactly as shown.")
    requested_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="given") | Q(participation=True, responded_at__isnull=False),
                name="consent_given_includes_participation",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True)
                | Q(responded_at__isnull=False) & Q(withdrawn_at__gte=F("responded_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self):
        return f"Consent for {self.nomination} ({self.get_status_display()})"


class ConsentLink(models.Model):
    """One emailed consent link (the first request or a reminder); only the token's SHA-256 is kept.

    The token is made from the salt and SECRET_KEY (core.links.link_token), so the outbox can hold a
    marker instead of the link and make it when the email is sent.
    """

    class Purpose(models.TextChoices):
        REQUEST = "request", "Request"
        REMINDER = "reminder", "Reminder"

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    token_salt = models.CharField(
        max_length=32, default=new_token_salt, editable=False, help_text="Random; the link token is derived from it."
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.REQUEST)
    sent_to = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["consent", "created_at"]

    def __str__(self):
        return f"{self.get_purpose_display()} link for {self.consent.nomination}"


class ContactInvitation(EmailedInvitation):
    """An emailed invitation for a person to become an institution contact (single use, 7 days)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="invitations")
    name = models.CharField(max_length=120)
    job_title = models.CharField(max_length=120, blank=True)
    contact = models.ForeignKey(
        InstitutionContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )

    def __str__(self):
        return f"Invitation for {self.email} to {self.institution}"
