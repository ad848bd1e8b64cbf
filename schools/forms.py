import csv
import io
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.forms import PlainForm, PlainModelForm
from core.languages import LANGUAGE_CHOICES

from .models import NOMINATION_FIELDS, Institution, Nomination

MAX_CSV_BYTES = 1024 * 1024


class NominationForm(PlainModelForm):
    date_of_birth = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        label=_("Date of birth"),
        help_text=_("Age is worked out on the programme's start date."),
    )

    class Meta:
        model = Nomination
        fields = NOMINATION_FIELDS
        widgets = {
            "support_needs": forms.Textarea(attrs={"rows": 3}),
            "medical_notes": forms.Textarea(attrs={"rows": 2}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        # A school contact may read these in Welsh, so the labels are the form's own (translated), not the model's.
        labels = {
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "year_group": _("Year group"),
            "pronouns": _("Pronouns (optional)"),
            "gender": _("Gender (optional)"),
            "student_email": _("Student email"),
            "support_needs": _("Support needs"),
            "medical_notes": _("Medical notes"),
            "emergency_contact_name": _("Emergency contact name"),
            "emergency_contact_phone": _("Emergency contact phone"),
            "guardian_name": _("Parent or guardian's name"),
            "guardian_email": _("Parent or guardian's email"),
            "preferred_language": _("Language for the family's emails and pages"),
            "reason": _("Why this student would benefit"),
            "police_first_choice": _("Police was the student's first choice of placement"),
        }
        help_texts = {
            "year_group": _("e.g. Year 10, or Level 5 for undergraduates."),
            "medical_notes": _("Restricted: only the force coordinator sees this."),
            "student_email": _("Only for students aged 18 or over: they confirm consent themselves."),
            "support_needs": _(
                "Support needs and reasonable adjustments. Seen by coordinators and the syndicate lead."
            ),
            "preferred_language": _(
                "Consent, joining and survey emails and pages are in this language; anyone can switch on each page."
            ),
        }

    def __init__(self, *args, programme=None, submit_label=None, hide_medical_notes=False, weeks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.week_fields = self._add_week_fields(weeks)
        # Medical notes are for coordinators only: a contact editing a nomination can replace the
        # notes they gave, but is never shown them again.
        self.kept_medical_notes = None
        if hide_medical_notes and self.instance.pk and self.instance.medical_notes:
            self.kept_medical_notes = self.instance.medical_notes
            self.initial["medical_notes"] = ""
            self.fields["medical_notes"].help_text = _(
                "Medical notes were recorded and are hidden. Type here to replace them, or leave empty to keep them."
            )
        self.fields["reason"].required = True
        self.fields["preferred_language"].choices = [("", _("The force's usual language")), *LANGUAGE_CHOICES]
        if programme is not None and programme.max_age is not None and programme.max_age < 18:
            del self.fields["student_email"]  # every student is a minor: their guardian consents
        if programme is not None and programme.min_age >= 18:
            del self.fields["guardian_name"], self.fields["guardian_email"]  # adults consent themselves
            self.fields["student_email"].required = True
        groups = [
            (
                _("Student"),
                ["first_name", "last_name", "date_of_birth", "year_group", "pronouns", "gender", "student_email"],
            ),
            (
                _("Support and safety"),
                ["support_needs", "medical_notes", "emergency_contact_name", "emergency_contact_phone"],
            ),
            (_("Parent or guardian"), ["guardian_name", "guardian_email"]),
            (_("Language"), ["preferred_language"]),
            (_("Why this student"), ["reason", "police_first_choice"]),
            (_("Which weeks the student can do"), self.week_fields),
        ]
        fieldsets = [
            Fieldset(title, *[name for name in names if name in self.fields])
            for title, names in groups
            if any(name in self.fields for name in names)
        ]
        self.helper = FormHelper()
        self.helper.layout = Layout(*fieldsets, Submit("submit", submit_label or _("Submit nomination")))

    WEEK_CHOICE_LABELS = (
        _("First choice of week"),
        _("Second choice"),
        _("Third choice"),
        _("Fourth choice"),
        _("Fifth choice"),
        _("Sixth choice"),
        _("Seventh choice"),
        _("Eighth choice"),
    )

    def _add_week_fields(self, weeks):
        """Linked weeks: one drop-down per choice, first choice first; none chosen means any week."""
        names = []
        if len(weeks) < 2:
            return names
        options = [("", _("No preference")), *((str(week.pk), week.label) for week in weeks)]
        kept = [str(pk) for pk in (self.instance.week_choices or [])] if self.instance.pk else []
        for number, label in enumerate(self.WEEK_CHOICE_LABELS[: len(weeks)], start=1):
            name = f"week_choice_{number}"
            self.fields[name] = forms.ChoiceField(label=label, choices=options, required=False)
            if number <= len(kept):
                self.initial[name] = kept[number - 1]
            names.append(name)
        self.fields[names[0]].help_text = _(
            "Leave every choice on “No preference” if any week suits the student. A student is only offered a "
            "week they chose."
        )
        return names

    def clean(self):
        cleaned = super().clean()
        choices, gap = [], False
        for name in self.week_fields:
            value = cleaned.get(name)
            if not value:
                gap = True
                continue
            if gap:
                self.add_error(name, _("Give the earlier choices first."))
            elif int(value) in choices:
                self.add_error(name, _("Choose each week only once."))
            else:
                choices.append(int(value))
        if self.week_fields:
            cleaned["week_choices"] = choices
        return cleaned

    def clean_medical_notes(self):
        notes = self.cleaned_data.get("medical_notes", "")
        if not notes and self.kept_medical_notes:
            return self.kept_medical_notes
        return notes

    def validate_unique(self):
        """The service turns the duplicate-student constraint into a friendly message."""


CSV_COLUMNS = NOMINATION_FIELDS  # the upload takes the form's fields, in the same order
# Columns added since the first template: a file made from an older template is still read.
OPTIONAL_CSV_COLUMNS = {"preferred_language"}
# Linked weeks only, never in the template: the weeks a student can do, by number, first choice first.
WEEKS_CSV_COLUMN = "weeks"
# What a school may write in the language column (any case): English, Welsh or empty for the force's own.
LANGUAGE_WORDS = {
    "": "",
    "english": "en-gb",
    "en": "en-gb",
    "en-gb": "en-gb",
    "welsh": "cy",
    "cymraeg": "cy",
    "cy": "cy",
}
CSV_EXAMPLE = {
    "first_name": "Sam",
    "last_name": "Example",
    "date_of_birth": "2011-03-14",
    "year_group": "Year 10",
    "pronouns": "they/them",
    "gender": "",
    "student_email": "",
    "support_needs": "",
    "medical_notes": "",
    "emergency_contact_name": "Alex Example",
    "emergency_contact_phone": "07700 900123",
    "guardian_name": "Alex Example",
    "guardian_email": "alex@example.org",
    "preferred_language": "English",
    "reason": "Would gain confidence from a structured week",
    "police_first_choice": "no",
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


def csv_template():
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerow(CSV_EXAMPLE)
    return out.getvalue()


class CsvError(DomainError):
    """The uploaded file cannot be read as a nominations CSV; the message says how to fix it."""


def _csv_weeks(value, weeks):
    """A "weeks" cell ("2, 1", "Week 2; Week 1", empty or "any") as the round's programme ids, or None if wrong."""
    words = [w for w in re.split(r"[\s,;]+", value.lower().replace("week", " ")) if w]
    if not words or words == ["any"]:
        return []
    by_number = {str(week.number): week.pk for week in weeks}
    if any(w not in by_number for w in words) or len(set(words)) != len(words):
        return None
    return [by_number[w] for w in words]


def parse_nomination_csv(upload, weeks=()):
    """Read and validate every row of an uploaded CSV: returns (rows of cleaned data, errors by row/column).

    For linked weeks (`weeks`, the round's RoundWeeks) an extra "weeks" column may give each student's
    choices by week number, first choice first; empty means any week.
    """
    if upload.size > MAX_CSV_BYTES:
        raise CsvError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 1 MB. Split it into smaller files."
        )
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError('The file is not UTF-8 text. In your spreadsheet choose "Save as: CSV UTF-8".') from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in headers and c not in OPTIONAL_CSV_COLUMNS]
    unknown = [h for h in headers if h not in CSV_COLUMNS and not (weeks and h == WEEKS_CSV_COLUMN)]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown columns: {', '.join(unknown)}")
        raise CsvError(
            f"The header row is wrong ({'; '.join(parts)}). Download the template and copy your rows into it."
        )
    rows, errors = [], []
    try:
        records = list(reader)
    except csv.Error as exc:
        raise CsvError(f"The file could not be read as CSV: {exc}.") from None
    if not records:
        raise CsvError("The file has a header row but no students.")
    for number, record in enumerate(records, start=2):
        record = {(k or "").strip(): (v or "").strip() for k, v in record.items() if k}
        choice = record.get("police_first_choice", "").lower()
        if choice not in YES | NO:
            errors.append((number, "police_first_choice", 'Write "yes" or "no".'))
            continue
        record["police_first_choice"] = choice in YES
        language = record.get("preferred_language", "").lower()
        if language not in LANGUAGE_WORDS:
            errors.append((number, "preferred_language", 'Write "English", "Welsh" or leave it empty.'))
            continue
        record["preferred_language"] = LANGUAGE_WORDS[language]
        week_choices = _csv_weeks(record.pop(WEEKS_CSV_COLUMN, ""), weeks)
        if week_choices is None:
            errors.append(
                (
                    number,
                    WEEKS_CSV_COLUMN,
                    _(
                        "Write week numbers from 1 to %(last)s, first choice first, e.g. “2, 1”; "
                        "or leave it empty for any week."
                    )
                    % {"last": len(weeks)},
                )
            )
            continue
        form = NominationForm(data=record)
        if not form.is_valid():
            for field, messages in form.errors.items():
                for message in messages:
                    errors.append((number, field, message))
            continue
        rows.append((number, {**form.cleaned_data, "week_choices": week_choices} if weeks else form.cleaned_data))
    return rows, errors


class CsvUploadForm(PlainForm):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8 CSV, at most 1 MB, with the template's header row."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Upload and check")))


class InvitationForm(PlainForm):
    institution = forms.ModelChoiceField(queryset=Institution.objects.none())
    name = forms.CharField(max_length=120)
    email = forms.EmailField()
    job_title = forms.CharField(max_length=120, required=False)

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is None:
            del self.fields["institution"]
        else:
            self.fields["institution"].queryset = institutions
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send invitation"))


class ConsentForm(PlainForm):
    respondent_name = forms.CharField(label=_("Your full name"), max_length=120)
    participation = forms.TypedChoiceField(
        label=_("Taking part"),
        choices=[("yes", _("Yes, I agree")), ("no", _("No, I do not agree"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        coerce=lambda v: v == "yes",
    )
    data_processing = forms.BooleanField(label=_("I have read the privacy notice above"), required=False)
    photos_media = forms.BooleanField(label=_("Yes, photos and video may be used"), required=False)
    mentoring_contact = forms.BooleanField(label=_("Yes, a career mentor may make contact afterwards"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("participation") and not cleaned.get("data_processing"):
            self.add_error("data_processing", _("Please confirm you have read the privacy notice."))
        return cleaned


class ConsentWithdrawForm(PlainForm):
    items = forms.MultipleChoiceField(
        label=_("What do you want to withdraw?"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        choices=[
            ("photos_media", _("Consent to photos and video")),
            ("mentoring_contact", _("Consent to career-mentor contact")),
            ("participation", _("Consent to take part at all (the place will be given up)")),
        ],
    )


class AllocationForm(PlainForm):
    institution = forms.ModelChoiceField(queryset=Institution.objects.none())
    quota = forms.IntegerField(min_value=0, max_value=200, help_text="0 removes the institution from this programme.")

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.helper = FormHelper()
        self.helper.form_class = "row g-2 align-items-end"
        self.helper.add_input(Submit("submit", "Save allocation"))


class SelectionForm(PlainForm):
    deadline = forms.DateField(
        label="Institutions answer by",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Before the week starts, with time to offer a declined place to the next student waiting.",
    )
    selected = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Some chosen students are no longer waiting for a decision: the list below is up to date."
        },
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = [(str(n.pk), n.full_name) for n in candidates]


class WeekLinkForm(PlainForm):
    week = forms.ModelChoiceField(queryset=None, label="Week to link", empty_label="Choose a week")
    name = forms.CharField(
        label="Name for the linked weeks",
        max_length=120,
        required=False,
        help_text="e.g. Summer 2027 weeks. Leave empty to keep the current name.",
    )

    def __init__(self, *args, weeks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["week"].queryset = weeks
        self.fields["week"].label_from_instance = lambda p: (
            f"{p.title} ({p.start_date:%-d %B} – {p.end_date:%-d %B %Y})"
        )
        self.helper = FormHelper()
        self.helper.layout = Layout("week", "name", Submit("submit", "Link this week"))


class SelectionSendForm(PlainForm):
    """The confirm page's own fields; the choice itself comes back in SelectionForm's hidden fields."""

    digest = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    send_anyway = forms.BooleanField(
        required=False,
        label="Send anyway: these offers can only lapse unless you reach the school another way",
    )


class OfferWithdrawForm(PlainForm):
    reason = forms.CharField(
        label="A few words for the school (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Added to the apology email. No need to explain at length; do not add medical or personal details.",
    )


class OfferResponseForm(PlainForm):
    answer = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
