from django import forms


class ErasureForm(forms.Form):
    note = forms.CharField(
        label="Why is the data erased?",
        max_length=300,
        help_text="For example the request's reference. Do not type the student's name.",
    )
    confirm = forms.BooleanField(
        label="I understand that the student's personal data is erased for good and cannot be brought back.",
        required=True,
    )


class RetentionPolicyForm(forms.Form):
    not_placed_months = forms.IntegerField(
        label="Students without a place (not selected, waiting list, withdrawn, declined)",
        min_value=1,
        max_value=120,
        help_text="Months after the programme ends.",
    )
    placed_months = forms.IntegerField(
        label="Students who took part",
        min_value=1,
        max_value=120,
        help_text="Months after their mentoring ends or, with no mentor, after the programme ends.",
    )
    survey_text_months = forms.IntegerField(
        label="Free-text survey answers",
        min_value=1,
        max_value=120,
        help_text="Months after the programme ends. Scores are kept.",
    )
