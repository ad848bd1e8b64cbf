from django.conf import settings
from django.db import models
from django.db.models import Q


class OutboundEmailQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True, failed_attempts__lt=OutboundEmail.MAX_ATTEMPTS)


class OutboundEmail(models.Model):
    """Every email the product sends, written in the same transaction as the change that caused it.

    A Celery task sends it after commit; a beat job sweeps up any whose task never ran (Redis
    down, worker killed), so each email goes out once, and there is a record of what was sent.
    """

    MAX_ATTEMPTS = 5

    kind = models.CharField(max_length=60, help_text="Which email: the template name.")
    students = models.ManyToManyField(
        "schools.Nomination",
        blank=True,
        related_name="+",
        help_text="The students this email is about: erasure and the subject access export find it by these.",
    )
    to_student = models.BooleanField(
        default=False, help_text="Sent to the student or their guardian (not to staff or a school)."
    )
    dedupe_key = models.CharField(max_length=200, unique=True, help_text="The same key is never sent twice.")
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    # Links with a token are stored as markers (core.links) and made only when the email is sent.
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    force = models.ForeignKey("placements.Force", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at"], condition=Q(sent_at__isnull=True), name="outbound_email_pending")]

    def __str__(self):
        return f"{self.kind} to {self.to}"


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
        ordering = ["-erased_at"]

    def __str__(self):
        return f"Erasure of nomination #{self.nomination_id} ({self.get_reason_display()})"
