from django import forms
from django.contrib.auth.forms import AuthenticationForm

from core.forms import PlainForm, PlainFormMixin


class TokenForm(PlainForm):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("Enter the 6 digits shown in your authenticator app.")
        return token


class SignInForm(PlainFormMixin, AuthenticationForm):
    """Django's sign-in form with the house messages ("Enter username", not "This field is required.")."""
