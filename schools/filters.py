import django_filters
from django import forms

from .models import Consent, Institution, Nomination


class NominationFilter(django_filters.FilterSet):
    """The coordinator's review screen filters."""

    institution = django_filters.ModelChoiceFilter(queryset=Institution.objects.none(), empty_label="Any")
    status = django_filters.ChoiceFilter(choices=Nomination.Status.choices, empty_label="Any")
    send = django_filters.BooleanFilter(
        field_name="institution__is_send",
        label="SEND school",
        widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]),
    )
    area = django_filters.ChoiceFilter(field_name="institution__area", label="Area", choices=[], empty_label="Any")
    first_choice = django_filters.BooleanFilter(
        field_name="police_first_choice",
        label="Police first choice",
        widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]),
    )
    consent = django_filters.ChoiceFilter(
        field_name="consent__status", label="Consent", choices=Consent.Status.choices, empty_label="Any"
    )

    class Meta:
        model = Nomination
        fields = []

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        institutions = Institution.objects.filter(allocations__programme=programme).order_by("name")
        self.filters["institution"].queryset = institutions
        areas = sorted({a for a in institutions.values_list("area", flat=True) if a})
        self.filters["area"].extra["choices"] = [(a, a) for a in areas]

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-select"
        return form
