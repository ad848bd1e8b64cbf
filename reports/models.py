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
