from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class PracticeReport(models.Model):
    """What the coordinator writes for a programme's practice report; the figures are worked out when it is made.

    One per programme. Later parts (trends across years, a national view, sharing by link) read the
    same generated figures (reports.selectors.practice_report_figures) and this row's text.
    """

    programme = models.OneToOneField("placements.Programme", on_delete=models.CASCADE, related_name="practice_report")
    aims = models.TextField(blank=True, help_text="What the programme set out to do, one aim a line.")
    selection = models.TextField(
        blank=True, help_text="How schools and students were chosen, and with whom (the county council, schools)."
    )
    lessons_learned = models.TextField(blank=True, help_text="What worked and what you would change, one a line.")
    next_steps = models.TextField(blank=True, help_text="Options for growth and what happens next, one a line.")
    comparable_cost = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Optional: what a comparable police response costs, in pounds (e.g. a missing person investigation).",
    )
    comparable_cost_label = models.CharField(
        max_length=200, blank=True, help_text="What that figure is, e.g. “a missing person investigation”."
    )
    # Free-text survey answers chosen for the report; only answers of this programme's surveys are offered.
    quotes = models.ManyToManyField("surveys.Answer", blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(comparable_cost__isnull=True) | Q(comparable_cost__gte=Decimal("0")),
                name="practice_report_comparable_cost_not_negative",
            ),
        ]

    def __str__(self):
        return f"Practice report for {self.programme}"

    @property
    def is_written(self):
        return bool(self.aims.strip() and self.lessons_learned.strip() and self.next_steps.strip())


class NationalSharing(models.Model):
    """Whether a force adds its anonymised figures to the national view. Off until its coordinator turns it on."""

    force = models.OneToOneField("placements.Force", on_delete=models.CASCADE, related_name="national_sharing")
    opted_in = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "national figures choice"

    def __str__(self):
        return f"{self.force}: {'shares' if self.opted_in else 'does not share'} its figures nationally"


class ShareLink(models.Model):
    """A link for someone outside the force (a sponsor) to a programme's practice report, or to the force's
    trends when there is no programme. Only the token's SHA-256 is stored; the link is shown once."""

    force = models.ForeignKey("placements.Force", on_delete=models.CASCADE, related_name="share_links")
    programme = models.ForeignKey(
        "placements.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    label = models.CharField(max_length=120, blank=True, help_text="Who it is for, e.g. “Workforce Development”.")
    include_quotes = models.BooleanField(
        default=False, help_text="Whether the practice report shows the students' words you chose for it."
    )
    expires_on = models.DateField(help_text="The last day the link works.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_opened_at = models.DateTimeField(null=True, blank=True)
    times_opened = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        what = f"the practice report of {self.programme}" if self.programme_id else "the force's trends"
        return f"Link to {what}" + (f" for {self.label}" if self.label else "")

    @property
    def what(self) -> str:
        return f"Practice report: {self.programme}" if self.programme_id else "Trends across years"

    def state(self, today) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_on < today:
            return "expired"
        return "active"
