from django import forms
from django.db import connections

from .models import Activity, Attendance, BudgetLine, Department, ForcePerson, Placement, Syndicate


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField that refuses ids a database integer cannot hold.

    Django guards `pk=<huge>` but not `pk__in=[<huge>]`: that raised OverflowError (SQLite) or
    DataError (PostgreSQL), a 500, instead of "Select a valid choice".
    """

    def _check_values(self, value):
        meta = self.queryset.model._meta
        field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        low, high = connections[self.queryset.db].ops.integer_field_range(field.get_internal_type())
        for pk in value if isinstance(value, (list, tuple)) else []:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # the parent reports it as an invalid value
            if (low is not None and number < low) or (high is not None and number > high):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class SyndicateBuildForm(forms.Form):
    size = forms.IntegerField(min_value=2, max_value=8, initial=4, label="Students per syndicate")
    leads = IdsChoiceField(
        queryset=ForcePerson.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only people whose vetting covers the whole programme are listed.",
    )

    def __init__(self, *args, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leads"].queryset = leads
        self.fields["leads"].label_from_instance = lambda p: f"{p} (vetting to {p.vetting_expires_on:%d %b %Y})"


class SyndicateForm(forms.Form):
    lead = forms.ModelChoiceField(queryset=ForcePerson.objects.none(), required=False, empty_label="No lead")
    is_locked = forms.BooleanField(required=False, label="Locked")

    def __init__(self, *args, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads


class PlacementMoveForm(forms.Form):
    placement = forms.ModelChoiceField(queryset=Placement.objects.none())
    syndicate = forms.ModelChoiceField(queryset=Syndicate.objects.none(), required=False, empty_label="No syndicate")

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placement"].queryset = programme.placements.all()
        self.fields["syndicate"].queryset = programme.syndicates.all()


class TimetableForm(forms.Form):
    activities = IdsChoiceField(
        queryset=Activity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Every syndicate does each scenario once; demonstrations are for everyone.",
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Activity.objects.filter(force=programme.force_id, is_active=True).select_related("department")
        self.fields["activities"].queryset = queryset
        self.fields["activities"].label_from_instance = lambda a: (
            f"{a.title} · {a.get_kind_display()}"
            + (f" · {a.syndicate_capacity} at once" if a.syndicate_capacity else " · everyone")
            + (" · contingency" if a.is_contingency else "")
        )


class ContingencyForm(forms.Form):
    activity = forms.ModelChoiceField(
        queryset=Activity.objects.none(), widget=forms.RadioSelect, empty_label=None, label="Contingency activity"
    )

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(pk__in=[a.pk for a in options])


class AttendanceForm(forms.Form):
    placement = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=Attendance.Status.choices)
    arrived_at = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}), label="Arrived at")


class SpendEntryForm(forms.Form):
    category = forms.ChoiceField(choices=BudgetLine.Category.choices)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(min_value=0.01, max_digits=10, decimal_places=2, label="Amount (£)")
    note = forms.CharField(max_length=200, required=False)


class PlanningHoursForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none())
    hours = forms.DecimalField(min_value=0, max_digits=6, decimal_places=1, label="Planning hours")

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(force=programme.force_id)
