import django_filters
from auditlog.models import LogEntry
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from .forms import PlainForm
from .selectors import about_students_named, audit_action_names, audit_actors

# The kinds of change a coordinator can pick, besides the named actions found in the trail.
KINDS = [
    ("added", "Records added"),
    ("changed", "Records changed"),
    ("deleted", "Records deleted"),
    ("read", "Restricted notes read"),
]
KIND_CONDITIONS = {
    "added": Q(action=LogEntry.Action.CREATE),
    "changed": Q(action=LogEntry.Action.UPDATE)
    & (Q(additional_data__isnull=True) | Q(additional_data__action__isnull=True)),
    "deleted": Q(action=LogEntry.Action.DELETE),
    "read": Q(action=LogEntry.Action.ACCESS),
}
ACTION_PREFIX = "action:"


class AuditFilterForm(PlainForm):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return cleaned


class AuditFilter(django_filters.FilterSet):
    """The coordinator's audit trail filters: a student, a person, a kind of change, a date range."""

    student = django_filters.CharFilter(
        label="Student's name",
        method="filter_student",
        max_length=80,
        help_text="Part of a first or last name. Finds changes to their nomination, consent, place, "
        "attendance, certificate and mentoring.",
    )
    person = django_filters.ModelChoiceFilter(
        field_name="actor", label="Who", queryset=get_user_model().objects.none(), empty_label="Anyone"
    )
    kind = django_filters.ChoiceFilter(label="What", method="filter_kind", choices=[], empty_label="Anything")
    date_from = django_filters.DateFilter(
        field_name="timestamp",
        lookup_expr="date__gte",
        label="From",
        help_text="For example 1 7 2026.",
    )
    date_to = django_filters.DateFilter(
        field_name="timestamp", lookup_expr="date__lte", label="To", help_text="This day is included."
    )

    class Meta:
        model = LogEntry
        fields = []
        form = AuditFilterForm

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["person"].queryset = audit_actors(self.queryset)
        actions = [(f"{ACTION_PREFIX}{name}", name) for name in audit_action_names(self.queryset)]
        self.filters["kind"].extra["choices"] = [
            ("Kinds of change", KINDS),
            *([("Named actions", actions)] if actions else []),
        ]

    def filter_student(self, queryset, name, value):
        value = value.strip()
        if len(value) < 2:
            return queryset
        return queryset.filter(about_students_named(user=self.user, text=value))

    def filter_kind(self, queryset, name, value):
        if value.startswith(ACTION_PREFIX):
            return queryset.filter(additional_data__action=value.removeprefix(ACTION_PREFIX))
        return queryset.filter(KIND_CONDITIONS[value])

    @property
    def form(self):
        form = super().form
        errors = form.errors if form.is_bound else {}
        for name, field in form.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            described = [f"id_{name}-help"] if field.help_text else []
            if name in errors:
                # Not on the day, month and year boxes: the warning icon would hide their digits.
                css += "" if isinstance(field.widget, forms.MultiWidget) else " is-invalid"
                described.append(f"id_{name}-error")
            field.widget.attrs["class"] = css
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
        return form
