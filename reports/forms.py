from django import forms

from accounts.admin import SafeModelMultipleChoiceField
from core.forms import PlainForm


class QuoteChoiceField(SafeModelMultipleChoiceField):
    """A posted key that cannot be a row (text, or past 64 bits) is an invalid choice, never a 500."""

    def label_from_instance(self, obj):
        return f"“{obj.value_text}” ({obj.question.survey.get_phase_display().lower()})"


class PracticeReportForm(PlainForm):
    aims = forms.CharField(
        label="Aims", required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text="One aim a line."
    )
    selection = forms.CharField(
        label="How schools and students were chosen",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Who you worked with and what you balanced. The figures are added for you.",
    )
    lessons_learned = forms.CharField(
        label="Lessons learned", required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text="One a line."
    )
    next_steps = forms.CharField(
        label="Next steps and options for growth",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One a line.",
    )
    comparable_cost = forms.DecimalField(
        label="A comparable police response costs (£)",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text="For example 2400 for a missing person investigation.",
    )
    comparable_cost_label = forms.CharField(
        label="That cost is for",
        required=False,
        max_length=200,
        help_text="For example a missing person investigation.",
    )
    quotes = QuoteChoiceField(
        label="Students' words to quote",
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the words are printed, never who wrote them.",
    )

    def __init__(self, *args, quote_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quotes"].queryset = quote_queryset
        for name in ("comparable_cost",):
            self.fields[name].error_messages.update(
                invalid="Give an amount in pounds, e.g. 2400.",
                min_value="Give an amount in pounds: £0 or more.",
            )


class NationalSharingForm(PlainForm):
    opted_in = forms.TypedChoiceField(
        label="Add this force's figures to the national picture?",
        choices=[
            ("yes", "Yes: add our figures, without names, to the totals across forces"),
            ("no", "No: keep our figures to ourselves"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no.", "invalid_choice": "Choose yes or no."},
    )


class ShareLinkForm(PlainForm):
    what = forms.ChoiceField(
        label="What to share",
        error_messages={"required": "Choose what the link opens.", "invalid_choice": "Choose what the link opens."},
    )
    label = forms.CharField(
        label="Who it is for",
        required=False,
        max_length=120,
        help_text="For your own list, e.g. Workforce Development. It is shown on the shared page.",
    )
    expires_on = forms.DateField(label="Last day the link works", help_text="At most a year from today.")
    include_quotes = forms.BooleanField(
        label="Show the students' words you chose for the practice report",
        required=False,
        help_text="Leave unticked if a quote could tell a reader who said it. Trends pages never show quotes.",
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what"].choices = [("", "Choose…"), ("trends", "Trends across years (the whole force)")] + [
            (str(programme.pk), f"Practice report: {programme.title}") for programme in programmes
        ]
