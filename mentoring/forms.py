from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from core.forms import PlainForm, PlainModelForm
from placements.models import ForcePerson

from .models import MentorContact, MentoringSettings, Outcome
from .services import END_AGE_RANGE, MAX_MENTEES_LIMIT


class AssignMentorForm(PlainForm):
    mentor = forms.ModelChoiceField(queryset=ForcePerson.objects.none(), empty_label=None, label="Mentor")

    def __init__(self, *args, mentors, maximum, suggestion=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["mentor"]
        available = [m for m in mentors if not m.at_capacity]
        field.queryset = ForcePerson.objects.filter(pk__in=[m.pk for m in available])
        field.choices = [(m.pk, f"{m.name} — {m.active_count} of {maximum} mentees") for m in available]
        field.help_text = "Least loaded first. Mentors at the maximum, or whose vetting has lapsed, are not listed."
        if suggestion is not None:
            field.initial = suggestion.pk


class MentorContactForm(PlainModelForm):
    class Meta:
        model = MentorContact
        fields = ["contacted_on", "method", "summary", "next_step", "sensitive_notes"]
        labels = {
            "contacted_on": "Date of contact",
            "summary": "Short summary",
            "next_step": "Agreed next step",
            "sensitive_notes": "Sensitive notes (optional)",
        }
        help_texts = {
            "summary": "What you talked about. Keep it short and factual.",
            "sensitive_notes": "Only you and the programme coordinators can read these. The school never sees them.",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            "next_step": forms.TextInput(attrs={"maxlength": 300}),
            "sensitive_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, assignment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        if not self.is_bound:
            self.initial.setdefault("contacted_on", timezone.localdate())

    def clean_contacted_on(self):
        day = self.cleaned_data["contacted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date of contact cannot be in the future.")
        if self.assignment is not None and day < self.assignment.starts_on:
            raise forms.ValidationError(
                f"Mentoring started on {self.assignment.starts_on:%-d %B %Y}; the contact cannot be before that."
            )
        return day


class OutcomeForm(PlainModelForm):
    class Meta:
        model = Outcome
        fields = ["milestone", "occurred_on", "note"]
        labels = {"occurred_on": "Date", "note": "Note (optional)"}

    def __init__(self, *args, placement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.placement = placement

    def validate_unique(self):
        # Recording a milestone again re-dates it (the service updates it), so this is not an error.
        pass

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        if self.placement is not None and day < self.placement.programme.start_date:
            raise forms.ValidationError("The date is before the student's programme began.")
        return day


class MentoringSettingsForm(PlainModelForm):
    class Meta:
        model = MentoringSettings
        fields = ["max_mentees_per_mentor", "end_at_age"]
        labels = {
            "max_mentees_per_mentor": "Most mentees per mentor",
            "end_at_age": "Mentoring ends at age",
        }
        help_texts = {
            "max_mentees_per_mentor": "A mentor at this number is not offered new mentees. Lowering it takes no "
            "mentee away from anyone.",
            "end_at_age": "Mentoring also ends on the student's birthday at this age. Leave blank for no age limit. "
            "Applies to mentoring that starts from now on.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = END_AGE_RANGE
        self.fields["max_mentees_per_mentor"].min_value = 1
        self.fields["max_mentees_per_mentor"].max_value = MAX_MENTEES_LIMIT
        self.fields["max_mentees_per_mentor"].validators += [MinValueValidator(1), MaxValueValidator(MAX_MENTEES_LIMIT)]
        self.fields["end_at_age"].validators += [MinValueValidator(low), MaxValueValidator(high)]
        self.fields["max_mentees_per_mentor"].error_messages["required"] = "Enter the most mentees one mentor may have"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def _post_clean(self):
        pass  # the service checks and saves; the form only cleans values
