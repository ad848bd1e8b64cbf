from django import forms

from core.forms import PlainForm
from core.languages import LANGUAGE_CHOICES

from .notices import HTML_TAG, same_text


class ErasureForm(PlainForm):
    note = forms.CharField(
        label="Why is the data erased?",
        max_length=300,
        help_text="For example the request's reference. Do not type the student's name.",
    )
    confirm = forms.BooleanField(
        label="I understand that the student's personal data is erased for good and cannot be brought back.",
        required=True,
    )


class RetentionPolicyForm(PlainForm):
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


NOTICE_MAX_LENGTH = 20000
NOTICE_MIN_LENGTH = 200
NOTICE_HELP = "Plain text. Start a line with ## for a heading and with - for a list item. "


class ForceNoticeForm(PlainForm):
    """A force's public contact, privacy notice and accessibility statement (texts shown as plain text)."""

    default_language = forms.ChoiceField(
        label="Language the public sees first",
        choices=LANGUAGE_CHOICES,
        required=False,  # left out: the force keeps its language
        help_text="Forces in Wales choose Welsh. Consent forms, surveys, joining instructions, certificates' "
        "pages and their emails open in this language unless the family asked for the other one on the "
        "nomination; everyone can switch on every page.",
    )

    contact_email = forms.EmailField(
        label="Public contact email",
        required=False,
        help_text="Shown on every page parents, students and schools see, and in both texts below. "
        "Use a team mailbox, not a person's own address.",
    )
    data_protection_officer = forms.CharField(
        label="How to contact the data protection officer",
        required=False,
        max_length=300,
        help_text="An email address or postal address. Shown in the privacy notice.",
    )
    privacy_notice = forms.CharField(
        label="Privacy notice",
        required=False,
        max_length=NOTICE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=NOTICE_HELP + "Empty the box and save to go back to the standard notice, which always "
        "quotes your current retention periods.",
    )
    accessibility_statement = forms.CharField(
        label="Accessibility statement",
        required=False,
        max_length=NOTICE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=NOTICE_HELP + "Empty the box and save to go back to the standard statement.",
    )

    def __init__(self, *args, standard: dict[str, str], **kwargs):
        """`standard`: the standard texts as shown in the boxes, so that saving them unchanged keeps them standard."""
        super().__init__(*args, **kwargs)
        self.standard = standard

    def _clean_text(self, name: str, what: str) -> str:
        text = self.cleaned_data.get(name, "").strip()
        if not text or same_text(text, self.standard.get(name, "")):
            return ""
        if HTML_TAG.search(text):
            raise forms.ValidationError(
                f"Write the {what} as plain text: remove the HTML tags (for example <p> or <a>). "
                "Links and email addresses become links by themselves."
            )
        if len(text) < NOTICE_MIN_LENGTH:
            raise forms.ValidationError(
                f"This {what} is too short to be complete ({len(text)} characters; at least {NOTICE_MIN_LENGTH}). "
                "Write more, or empty the box to use the standard text."
            )
        return text

    def clean_default_language(self) -> str | None:
        return self.cleaned_data.get("default_language") or None

    def clean_privacy_notice(self) -> str:
        return self._clean_text("privacy_notice", "privacy notice")

    def clean_accessibility_statement(self) -> str:
        return self._clean_text("accessibility_statement", "accessibility statement")
