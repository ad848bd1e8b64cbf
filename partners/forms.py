from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from core.forms import PlainForm, PlainModelForm
from placements.models import Activity, ForcePerson, Programme

from .models import Action, Document, Meeting, Organisation, PartnerPerson, ProgrammePartner


def _tidy(value: str) -> str:
    return " ".join((value or "").split())


class OrganisationForm(PlainModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "is_active"]
        labels = {"name": "Organisation name", "kind": "What kind of organisation", "is_active": "Still a partner"}
        help_texts = {
            "name": "For example Northshire County Council or Northshire University.",
            "is_active": "Untick when it no longer works with you: its people's sign-ins stop opening anything.",
        }

    def clean_name(self):
        name = _tidy(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Enter the organisation name")
        return name


class PartnerPersonForm(PlainModelForm):
    class Meta:
        model = PartnerPerson
        fields = ["name", "role", "email", "phone", "is_active"]
        labels = {
            "name": "Name",
            "role": "Job or role",
            "email": "Work email",
            "phone": "Work phone",
            "is_active": "Still a contact",
        }
        help_texts = {
            "role": "For example Work experience coordinator.",
            "email": "Reminders of their actions, and an invitation to sign in, go here.",
        }

    def clean_name(self):
        name = _tidy(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Enter the name")
        return name

    def clean_phone(self):
        phone = _tidy(self.cleaned_data.get("phone", ""))
        if phone and not all(ch.isdigit() or ch in " +()-" for ch in phone):
            raise forms.ValidationError("Enter a phone number with digits, spaces and + ( ) - only")
        return phone


class ProgrammePartnerForm(PlainForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Organisation")
    role = forms.ChoiceField(choices=[("", "Choose…"), *ProgrammePartner.Role.choices], label="Role on this programme")
    contact = forms.ModelChoiceField(
        queryset=PartnerPerson.objects.none(), required=False, label="Contact for this role"
    )
    note = forms.CharField(max_length=200, required=False, label="Note")

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(force=force, is_active=True)
        self.fields["contact"].queryset = PartnerPerson.objects.filter(
            organisation__force=force, is_active=True
        ).select_related("organisation")
        self.fields["contact"].label_from_instance = lambda p: f"{p.name}, {p.organisation.name}"

    def clean(self):
        data = super().clean()
        organisation, contact = data.get("organisation"), data.get("contact")
        if organisation and contact and contact.organisation_id != organisation.pk:
            self.add_error("contact", f"{contact.name} does not work for {organisation.name}.")
        return data


def owner_field_choices(people, partners):
    """One list of owners: "force:<id>" for the force's people, "partner:<id>" for partners' people."""
    return [
        ("", "Choose…"),
        ("Your force", [(f"force:{p.pk}", p.name) for p in people]),
        ("Partners", [(f"partner:{p.pk}", f"{p.name}, {p.organisation.name}") for p in partners]),
    ]


class OwnerMixin:
    def _owner_setup(self, people, partners, instance=None):
        self._people = {str(p.pk): p for p in people}
        self._partners = {str(p.pk): p for p in partners}
        self.fields["owner"].choices = owner_field_choices(people, partners)
        if instance is not None and instance.pk:
            if instance.owner_person_id:
                self.initial["owner"] = f"force:{instance.owner_person_id}"
            elif instance.owner_partner_id:
                self.initial["owner"] = f"partner:{instance.owner_partner_id}"

    def clean_owner(self):
        value = self.cleaned_data.get("owner") or ""
        kind, _, pk = value.partition(":")
        found = (self._people if kind == "force" else self._partners if kind == "partner" else {}).get(pk)
        if found is None:
            raise forms.ValidationError("Choose who owns it")
        return (found, None) if kind == "force" else (None, found)


class ActionForm(OwnerMixin, PlainModelForm):
    owner = forms.ChoiceField(label="Owner", choices=())
    state = forms.ChoiceField(label="State", choices=Action.State.choices, required=False)

    class Meta:
        model = Action
        fields = ["kind", "title", "due_on"]
        labels = {"kind": "Action or milestone", "title": "What is to be done", "due_on": "Due on"}
        help_texts = {"due_on": "The owner gets a reminder by email on this day if it is still open."}

    def __init__(self, *args, people, partners, with_state=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._owner_setup(people, partners, self.instance)
        if not with_state:
            del self.fields["state"]
        else:
            self.initial.setdefault("state", self.instance.state)

    def clean_title(self):
        title = _tidy(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError("Enter what is to be done")
        return title

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due.year < 2000 or due.year > 2200:
            raise forms.ValidationError("Enter a due date from 2000 to 2200")
        return due


class MeetingForm(PlainModelForm):
    class Meta:
        model = Meeting
        fields = ["held_on", "title", "attendees", "notes"]
        labels = {"held_on": "Held on", "title": "Meeting", "attendees": "Who came", "notes": "Notes"}
        help_texts = {
            "title": "For example Launch meeting or Milestone review: venue confirmed.",
            "notes": "What was agreed. No student's name or details: partners may read the programme's summary.",
        }
        widgets = {"attendees": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 6})}

    def clean_title(self):
        title = _tidy(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError("Enter the meeting's name")
        return title

    def clean_held_on(self):
        held = self.cleaned_data["held_on"]
        if held > timezone.localdate() + timedelta(days=366) or held.year < 2000:
            raise forms.ValidationError("Enter the day the meeting was held")
        return held


class ArisingActionForm(OwnerMixin, PlainForm):
    """One action arising from a meeting (a blank row is skipped)."""

    title = forms.CharField(max_length=200, required=False, label="Action arising")
    owner = forms.ChoiceField(label="Owner", choices=(), required=False)
    due_on = forms.DateField(label="Due on", required=False)

    def __init__(self, *args, people, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self._owner_setup(people, partners)

    def clean_owner(self):
        if not _tidy(self.data.get(self.add_prefix("title"), "")):
            return (None, None)
        return super().clean_owner()

    def clean(self):
        data = super().clean()
        title = _tidy(data.get("title", ""))
        data["title"] = title
        if title and not data.get("due_on") and "due_on" not in self.errors:
            self.add_error("due_on", "Enter the day it is due")
        return data

    @property
    def is_blank(self):
        return not self.cleaned_data.get("title")


class DocumentForm(PlainModelForm):
    file = forms.FileField(label="File", help_text="")

    class Meta:
        model = Document
        fields = ["kind", "title", "activity", "programme", "organisation", "owner", "expires_on"]
        labels = {
            "kind": "What kind of document",
            "title": "Title",
            "activity": "Activity it covers",
            "programme": "Programme",
            "organisation": "Partner it comes from",
            "owner": "Who keeps it up to date",
            "expires_on": "Expires on",
        }
        help_texts = {
            "activity": "Needed for a risk assessment: the activity can then be timetabled once it is approved.",
            "programme": "Leave blank if it covers every programme (an activity's risk assessment usually does).",
            "organisation": "Its people can read it once they have a sign-in.",
            "expires_on": "The review date. An expired document no longer counts.",
        }

    def __init__(self, *args, force, with_file=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(force=force).order_by("title")
        self.fields["programme"].queryset = Programme.objects.filter(force=force).order_by("-start_date")
        self.fields["organisation"].queryset = Organisation.objects.filter(force=force, is_active=True)
        self.fields["owner"].queryset = ForcePerson.objects.filter(force=force, is_active=True)
        limit = settings.PARTNER_DOCUMENT_MAX_BYTES / 1048576
        self.fields[
            "file"
        ].help_text = f"A PDF, a Word document (.docx), or a photo (JPEG or PNG); up to {limit:.0f} MB."
        self.fields["file"].widget.attrs["accept"] = ".pdf,.docx,.jpg,.jpeg,.png"
        if not with_file:
            del self.fields["file"]

    def clean_title(self):
        title = _tidy(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError("Enter the document's title")
        return title

    def clean(self):
        data = super().clean()
        if (
            data.get("kind") == Document.Kind.RISK_ASSESSMENT
            and not data.get("activity")
            and "activity" not in self.errors
        ):
            self.add_error("activity", "Choose the activity this risk assessment covers")
        expires = data.get("expires_on")
        if expires and (expires.year < 2000 or expires.year > 2200):
            self.add_error("expires_on", "Enter an expiry date from 2000 to 2200")
        return data


class DocumentRulesForm(PlainForm):
    risk_assessment_required = forms.BooleanField(
        required=False,
        label="Timetable an activity only when it has an approved risk assessment in date",
        help_text="The timetable refuses an activity without one, unless you record why it can go ahead.",
    )


class RiskOverrideForm(PlainForm):
    reason = forms.CharField(
        label="Why it can go ahead without an approved risk assessment",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=1000,
        help_text="This is kept in the audit trail with your name.",
    )

    def clean_reason(self):
        reason = _tidy(self.cleaned_data["reason"])
        if len(reason) < 10:
            raise forms.ValidationError("Say why it can go ahead without one (at least a few words)")
        return reason
