import django_filters
from django import forms
from django.db.models import Q

from core.forms import PlainForm

from .models import ForcePerson

ROLES = [
    ("coordinator", "Coordinators"),
    ("lead", "Syndicate leads"),
    ("mentor", "Mentors"),
    ("delivers", "Deliver activities"),
    ("none", "None of these yet"),
]
VETTING = [
    ("soon", "Expires soon"),
    ("expired", "Expired"),
    ("missing", "Not recorded"),
    ("ok", "In date"),
]
SHOW = [("active", "Active people"), ("inactive", "Deactivated people"), ("all", "Everyone")]
ROLE_CONDITIONS = {
    "coordinator": Q(is_coordinator=True),
    "lead": Q(has_led=True),
    "mentor": Q(is_mentor=True),
    "delivers": Q(delivers=True),
    "none": Q(is_coordinator=False, has_led=False, is_mentor=False, delivers=False),
}


class PeopleFilter(django_filters.FilterSet):
    """The People page filters: what they do, their vetting, and whether they are active."""

    name = django_filters.CharFilter(label="Name", lookup_expr="icontains", max_length=80)
    role = django_filters.ChoiceFilter(
        label="What they do", choices=ROLES, method="filter_role", empty_label="Anything"
    )
    vetting = django_filters.ChoiceFilter(
        label="Vetting (DBS)", choices=VETTING, method="filter_vetting", empty_label="Any"
    )
    show = django_filters.ChoiceFilter(label="Show", choices=SHOW, method="filter_show", empty_label=None)

    class Meta:
        model = ForcePerson
        fields = []
        form = PlainForm

    def __init__(self, data=None, *args, check, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None and not data.get("show"):
            data["show"] = "active"
        super().__init__(data, *args, **kwargs)
        self.check = check

    @property
    def qs(self):
        queryset = super().qs
        if not self.is_bound:
            queryset = queryset.filter(is_active=True)
        return queryset

    def filter_role(self, queryset, name, value):
        return queryset.filter(ROLE_CONDITIONS[value])

    def filter_vetting(self, queryset, name, value):
        return queryset.filter(self.check.condition(value))

    def filter_show(self, queryset, name, value):
        if value == "active":
            return queryset.filter(is_active=True)
        if value == "inactive":
            return queryset.filter(is_active=False)
        return queryset

    @property
    def form(self):
        form = super().form
        for name, field in form.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if form.is_bound and name in form.errors:
                css += " is-invalid"
            field.widget.attrs["class"] = css
        return form
