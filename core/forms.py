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
