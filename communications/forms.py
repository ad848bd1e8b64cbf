from datetime import date, datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PlainForm, PlainModelForm

from .models import WELSH_FIELDS, JoiningInstructions

TEXT = {"rows": 5, "class": "form-control"}
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
# Optional: families who read Welsh see these words instead, where they are written.
WELSH_INPUTS = [f"{name}_cy" for name in WELSH_FIELDS]


class JoiningInstructionsForm(PlainModelForm):
    """The coordinator's joining instructions; the awards ceremony (optional) as a day and two times."""

    venue_map_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Map link",
        help_text="A link to the place on a map (for example from Google Maps or OpenStreetMap).",
    )
    ceremony_date = forms.DateField(required=False, label="Awards ceremony: day")
    tell_changes = forms.BooleanField(
        required=False,
        initial=True,
        label="Email what changed to everyone already sent the instructions",
        help_text="Families, schools and (for a change of times, place, phone or ceremony) syndicate leads get a "
        "short email saying what changed, with an updated calendar file. Untick for a correction nobody needs "
        "to hear about, such as a typo.",
    )
    ceremony_starts = forms.TimeField(required=False, label="Starts", widget=TIME)
    ceremony_ends = forms.TimeField(required=False, label="Ends", widget=TIME)

    class Meta:
        model = JoiningInstructions
        fields = [
            "venue_name",
            "venue_address",
            "venue_map_url",
            "other_venues",
            "day_starts",
            "day_ends",
            "what_to_wear",
            "what_to_bring",
            "food",
            "ill_or_late",
            "contact_phone",
            "photo_rules",
            "ceremony_venue",
            *WELSH_INPUTS,
        ]
        widgets = {
            "venue_address": forms.Textarea(attrs={"rows": 3}),
            "other_venues": forms.Textarea(attrs=TEXT),
            "what_to_wear": forms.Textarea(attrs=TEXT),
            "what_to_bring": forms.Textarea(attrs=TEXT),
            "food": forms.Textarea(attrs=TEXT),
            "ill_or_late": forms.Textarea(attrs=TEXT),
            "photo_rules": forms.Textarea(attrs=TEXT),
            "day_starts": TIME,
            "day_ends": TIME,
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            **{
                name: forms.Textarea(attrs={**TEXT, "lang": "cy"})
                for name in WELSH_INPUTS
                if name not in ("venue_name_cy", "ceremony_venue_cy")
            },
            "venue_name_cy": forms.TextInput(attrs={"lang": "cy"}),
            "ceremony_venue_cy": forms.TextInput(attrs={"lang": "cy"}),
        }
        labels = {"venue_name": "Building or meeting point"}
        help_texts = {
            "contact_phone": "A phone answered from before the start of each day until the last student has gone.",
            "ceremony_venue": "Leave the ceremony blank if the programme has none.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is None or instance.sent_at is None:
            del self.fields["tell_changes"]
        if instance.pk and instance.ceremony_starts_at:
            starts = timezone.localtime(instance.ceremony_starts_at)
            self.initial.setdefault("ceremony_date", starts.date())
            self.initial.setdefault("ceremony_starts", starts.time())
            self.initial.setdefault("ceremony_ends", timezone.localtime(instance.ceremony_ends_at).time())
        self.fields["day_starts"].error_messages["invalid"] = "Enter the time to arrive by, like 09:00"
        self.fields["day_ends"].error_messages["invalid"] = "Enter the collection time, like 16:00"
        self.fields["venue_map_url"].error_messages["invalid"] = (
            "Enter the map link as a full web address, starting https://"
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("day_starts"), data.get("day_ends")
        if starts and ends and ends <= starts:
            self.add_error("day_ends", f"Collection must be after the arrival time ({starts:%H:%M}).")
        day, c_starts, c_ends = data.get("ceremony_date"), data.get("ceremony_starts"), data.get("ceremony_ends")
        given = [value is not None for value in (day, c_starts, c_ends)]
        data["ceremony_starts_at"] = data["ceremony_ends_at"] = None
        if any(given) and not all(given):
            for name, value in (("ceremony_date", day), ("ceremony_starts", c_starts), ("ceremony_ends", c_ends)):
                if value is None and name not in self.errors:
                    self.add_error(name, "Give the ceremony's day, start and end (or leave all three blank).")
        elif all(given):
            if not EARLIEST <= day <= LATEST:
                self.add_error("ceremony_date", "Give a date between 2000 and 2100.")
            elif c_ends <= c_starts:
                self.add_error("ceremony_ends", f"The ceremony must end after it starts ({c_starts:%H:%M}).")
            else:
                tz = timezone.get_current_timezone()
                data["ceremony_starts_at"] = datetime.combine(day, c_starts, tz)
                data["ceremony_ends_at"] = datetime.combine(day, c_ends, tz)
        elif data.get("ceremony_venue"):
            self.add_error("ceremony_date", "Give the ceremony's day, start and end, or leave its venue blank.")
        return data

    def _post_clean(self):
        # The model's own check runs in the service (it sees the ceremony's datetimes made above).
        pass


class SendForm(PlainForm):
    confirm = forms.BooleanField(
        label="Send the joining instructions now",
        error_messages={"required": "Tick the box to confirm you want to send the emails."},
    )


class StaffTellForm(PlainForm):
    confirm = forms.BooleanField(
        label="Email the leads and departments now",
        error_messages={"required": "Tick the box to confirm you want to send the emails."},
    )


class TextConsentForm(PlainForm):
    """A family's mobile number for the reminder the working day before, and their agreement."""

    who = forms.ChoiceField(
        label=_("Whose number is it?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whose number this is.")},
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Enter the mobile number to text.")},
    )
    agree = forms.BooleanField(
        error_messages={"required": _("Tick the box to agree to the texts, or leave this part of the page.")},
    )

    def __init__(self, *args, choices, wording, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = choices
        if len(choices) == 1:
            self.fields["who"].initial = choices[0][0]
            self.fields["who"].widget = forms.HiddenInput()
        self.fields["agree"].label = wording

    def clean_phone(self):
        from core.sms import phone_normalise

        number = phone_normalise(self.cleaned_data["phone"])
        if number is None:
            raise forms.ValidationError(
                _("Enter a UK mobile number, like 07700 900123, or one starting with + and the country code.")
            )
        return number
