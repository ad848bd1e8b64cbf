from django import forms

from core.forms import PlainForm


class WorkEmailForm(PlainForm):
    email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "name@yourforce.police.uk"}),
    )
