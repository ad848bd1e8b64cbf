from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from core.forms import PlainForm, PlainModelForm
from placements.models import Programme

from .models import Event, Invitation


class EventForm(PlainModelForm):
    """An event's details; the programme is one of the coordinator's own force."""

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "programme",
            "starts_at",
            "ends_at",
            "venue",
            "address",
            "description",
            "capacity",
            "guests_allowed",
            "reply_by",
            "title_cy",
            "description_cy",
            "venue_cy",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "description_cy": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"starts_at": "Starts", "ends_at": "Ends", "programme": "Programme (optional)"}
        help_texts = {
            "programme": "Students, families, schools and syndicate leads are invited through a programme.",
            "reply_by": "Invitees can change their reply until the end of this day.",
            "venue": "The building or room, as people will see it on the invitation.",
            "title_cy": "Families and schools who read Welsh see these words; where one is left empty they see the "
            "English.",
        }

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(force=force).order_by("-start_date")
        self.fields["programme"].required = False
        self.fields["capacity"].validators.append(MinValueValidator(1, "An event needs at least 1 place."))
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["guests_allowed"].validators.append(
            MaxValueValidator(10, "Each invitee may bring at most 10 guests.")
        )
        self.fields["guests_allowed"].widget.attrs["max"] = 10

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The event must end after it starts.")
        if data.get("kind") == Event.Kind.CEREMONY and not data.get("programme") and "programme" not in self.errors:
            self.add_error("programme", "An awards ceremony belongs to a programme: choose which one.")
        return data

    def _post_clean(self):
        # The model's checks run in the service, which also knows the replies already made.
        pass


GROUPS = [
    (
        Invitation.Kind.STUDENT,
        "Students with a confirmed place (the email goes to their parent or guardian, or to the student if 18 or over)",
    ),
    (Invitation.Kind.GUARDIAN, "Parents and guardians of students under 18 (invited themselves)"),
    (Invitation.Kind.SCHOOL, "School and university contacts of those students"),
    (Invitation.Kind.LEAD, "Syndicate leads of the programme"),
    (Invitation.Kind.MENTOR, "Mentors of the force"),
]


class InviteGroupsForm(PlainForm):
    kinds = forms.MultipleChoiceField(
        label="Who to invite",
        choices=GROUPS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one group to invite."},
    )


class InviteCommunityForm(PlainForm):
    """One community member: a name and an email address, and nothing else (least personal data)."""

    name = forms.CharField(label="Their name", max_length=200)
    email = forms.EmailField(label="Their email address", max_length=254)


class ReminderForm(PlainForm):
    round = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=1000)


class ConfirmForm(PlainForm):
    confirm = forms.BooleanField(label="Yes, do it", error_messages={"required": "Tick the box to confirm."})


class ReplyForm(forms.Form):
    """The invitee's reply: yes or no, and how many guests (public page: every word can be translated)."""

    coming = forms.TypedChoiceField(
        label=_("Are you coming?"),
        choices=[("yes", _("Yes, I am coming")), ("no", _("No, I cannot come"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    guests = forms.IntegerField(
        label=_("How many guests are you bringing?"),
        min_value=0,
        required=False,
        error_messages={
            "invalid": _("Enter the number of guests as a number, like 2."),
            "min_value": _("The number of guests cannot be less than 0."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control", "style": "max-width:8rem"}),
    )

    def __init__(self, *args, guests_allowed: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.guests_allowed = guests_allowed
        if guests_allowed:
            self.fields["guests"].widget.attrs["max"] = guests_allowed
            self.fields["guests"].help_text = _("Up to %(count)s, not counting yourself.") % {"count": guests_allowed}
        else:
            del self.fields["guests"]

    def clean(self):
        data = super().clean()
        if not data.get("coming") or data.get("guests") is None:
            data["guests"] = 0
        elif data["guests"] > self.guests_allowed:
            self.add_error("guests", _("You can bring up to %(count)s guests.") % {"count": self.guests_allowed})
        return data
