from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PlainForm, PlainModelForm
from core.languages import WELSH

from .models import CertificateTemplate
from .rendering import PLACEHOLDER
from .services import normalise_code

PLACEHOLDERS = ("student_name", "programme_title", "start_date", "end_date", "hours_attended", "force_name")
MAX_IMAGE_BYTES = 2 * 1024 * 1024


# A first Welsh draft for a Welsh force's new design (awaiting review by a Welsh speaker, see README).
WELSH_SUGGESTION = {
    "title_cy": "Tystysgrif Profiad Gwaith",
    "wording_cy": "am gymryd rhan yn {programme_title} gyda {force_name} o {start_date} i {end_date}, gan gwblhau "
    "{hours_attended} awr o senarios ac arddangosiadau ochr yn ochr â swyddogion a staff.",
}


class CertificateTemplateForm(PlainModelForm):
    class Meta:
        model = CertificateTemplate
        fields = [
            "name",
            "programme_kind",
            "title",
            "wording",
            "title_cy",
            "wording_cy",
            "signatory_name",
            "signatory_rank",
            "logo",
            "signature",
            "primary_colour",
            "accent_colour",
        ]
        widgets = {
            "wording": forms.Textarea(attrs={"rows": 4}),
            "wording_cy": forms.Textarea(attrs={"rows": 4, "lang": "cy"}),
            "title_cy": forms.TextInput(attrs={"lang": "cy"}),
            "primary_colour": forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
            "accent_colour": forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
        }
        help_texts = {
            "wording": "Printed under the student's name. Words in curly brackets are filled in for each "
            "student: {student_name} their name, {programme_title} the programme, {start_date} and {end_date} "
            "its first and last days, {hours_attended} the hours they attended, {force_name} your force.",
            "logo": "PNG or JPEG, up to 2 MB; printed about 20 mm tall.",
            "signature": "PNG (transparent background is best) or JPEG, up to 2 MB.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        force = getattr(self.instance, "force", None) if self.instance.force_id else None
        if self.instance.pk is None and force is not None and force.default_language == WELSH:
            for name, text in WELSH_SUGGESTION.items():
                self.initial.setdefault(name, text)

    def _clean_wording(self, field):
        wording = self.cleaned_data[field]
        unknown = sorted({name for name in PLACEHOLDER.findall(wording) if name not in PLACEHOLDERS})
        if unknown:
            raise forms.ValidationError(
                "Unknown placeholder: %(names)s.", params={"names": ", ".join("{" + n + "}" for n in unknown)}
            )
        if len(wording) > 600:
            raise forms.ValidationError("Keep the wording under 600 characters so it fits on the certificate.")
        return wording

    def clean_wording(self):
        return self._clean_wording("wording")

    def clean_wording_cy(self):
        return self._clean_wording("wording_cy")

    def _clean_image(self, field):
        image = self.cleaned_data.get(field)
        if image and getattr(image, "size", 0) > MAX_IMAGE_BYTES:
            raise forms.ValidationError("The image is larger than 2 MB.")
        content_type = getattr(getattr(image, "image", None), "format", None)
        if image and hasattr(image, "image") and content_type not in ("PNG", "JPEG"):
            raise forms.ValidationError("Upload a PNG or JPEG image.")
        return image

    def clean_logo(self):
        return self._clean_image("logo")

    def clean_signature(self):
        return self._clean_image("signature")


CHOOSE_A_BUTTON = "Choose one of the two buttons."


class RevokeForm(PlainForm):
    """Revoke a certificate, and (the usual case: a name to correct) issue its corrected one in the same step."""

    REISSUE = "reissue"
    REVOKE_ONLY = "revoke"

    reason = forms.CharField(
        label="Why it is being revoked",
        max_length=300,
        error_messages={"required": "Say why the certificate is being revoked"},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For your records, for example “Surname misspelt”. Nobody checking the certificate sees it.",
    )
    printed_name = forms.CharField(
        label="Name to print on the corrected certificate",
        max_length=200,
        required=False,
        help_text="Check the spelling: it is printed exactly as written here. Not needed if you revoke only.",
    )
    then = forms.ChoiceField(
        choices=[(REISSUE, "Revoke and issue a corrected certificate"), (REVOKE_ONLY, "Revoke only")],
        error_messages={"required": CHOOSE_A_BUTTON, "invalid_choice": CHOOSE_A_BUTTON},
    )

    def clean(self):
        cleaned = super().clean()
        name = " ".join((cleaned.get("printed_name") or "").split())
        cleaned["printed_name"] = name
        if cleaned.get("then") == self.REISSUE and not name:
            self.add_error("printed_name", "Give the name to print on the corrected certificate.")
        return cleaned


class ReissueForm(PlainForm):
    printed_name = forms.CharField(
        label="Name to print",
        max_length=200,
        help_text="Check the spelling: it is printed exactly as written here.",
    )


class VerifyForm(PlainForm):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("As printed on the certificate, e.g. ABCD-EFGH-JKLM-NPQR."),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if len(code) < 8:
            raise forms.ValidationError(_("Enter the code as printed on the certificate."))
        return code


class OrderForm(PlainForm):
    order = forms.ChoiceField(choices=[("alphabetical", "Alphabetical"), ("syndicate", "By syndicate")], required=False)
