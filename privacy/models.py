from django.conf import settings
from django.db import models
from django.db.models import Q


class RetentionPolicy(models.Model):
    """How long a force keeps children's personal data; the daily retention job erases what is due.

    Months count from the end of the programme, or for a student who had a career mentor, from the
    day mentoring ended (whichever is later). Erasure keeps anonymised records so reports stay the same.
    """

    force = models.OneToOneField("placements.Force", on_delete=models.CASCADE, related_name="retention_policy")
    not_placed_months = models.PositiveSmallIntegerField(
        "students without a place",
        default=3,
        help_text="Nominations not selected, withdrawn or declined: months after the programme ends.",
    )
    placed_months = models.PositiveSmallIntegerField(
        "students who took part",
        default=12,
        help_text="Placements and everything about the student: months after mentoring ends or, with no "
        "mentoring, after the programme ends.",
    )
    survey_text_months = models.PositiveSmallIntegerField(
        "survey free-text answers",
        default=6,
        help_text="Free-text survey answers: months after the programme ends (scores are kept).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "core_retentionpolicy"  # moved from core without moving the table
        verbose_name_plural = "retention policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(not_placed_months__gte=1, placed_months__gte=1, survey_text_months__gte=1),
                name="retention_policy_at_least_a_month",
            ),
        ]

    def __str__(self):
        return f"Retention policy of {self.force}"


class Erasure(models.Model):
    """That one student's personal data was erased: when, by whom, why. Holds no personal data itself."""

    class Reason(models.TextChoices):
        REQUEST = "request", "Erased on request"
        RETENTION = "retention", "Retention period over"

    nomination = models.OneToOneField("schools.Nomination", on_delete=models.CASCADE, related_name="erasure")
    erased_at = models.DateTimeField(auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=300, blank=True, help_text="Why (e.g. the request's reference).")
    summary = models.JSONField(default=dict, blank=True, help_text="How many rows of each kind were erased.")

    class Meta:
        db_table = "core_erasure"  # moved from core without moving the table
        ordering = ["-erased_at"]

    def __str__(self):
        return f"Erasure of nomination #{self.nomination_id} ({self.get_reason_display()})"


class ForceNotice(models.Model):
    """A force's public privacy notice and accessibility statement, and who the public can write to.

    UK public bodies must publish both. An empty text means the standard wording (privacy/notices.py),
    which quotes the force's current retention periods, so it stays true when they change.
    """

    force = models.OneToOneField("placements.Force", on_delete=models.CASCADE, related_name="notice")
    contact_email = models.EmailField(
        "public contact email",
        blank=True,
        help_text="Shown to parents, students and schools on every public page, for questions about the "
        "programme and for accessibility requests. Use a team mailbox, not a person's own address.",
    )
    data_protection_officer = models.CharField(
        "how to contact the data protection officer",
        max_length=300,
        blank=True,
        help_text="An email address or postal address for the force's data protection officer.",
    )
    privacy_notice = models.TextField(
        blank=True, help_text="Empty: the standard notice, which always quotes your current retention periods."
    )
    accessibility_statement = models.TextField(blank=True, help_text="Empty: the standard statement.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "privacy notice and accessibility statement"
        verbose_name_plural = "privacy notices and accessibility statements"

    def __str__(self):
        return self.force.name
