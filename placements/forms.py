from datetime import date, timedelta

from django import forms
from django.db import connections
from django.utils import timezone

from core.forms import PlainForm, PlainModelForm

from .models import (
    ACTIVITY_FIELDS,
    Activity,
    Attendance,
    BudgetLine,
    Department,
    ForcePerson,
    Placement,
    Programme,
    Syndicate,
)
from .planning import DAY_MINUTES, LONGEST_DAYS, PlanningError, describe_minutes, parse_length


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField that refuses ids a database integer cannot hold.

    Django guards `pk=<huge>` but not `pk__in=[<huge>]`: that raised OverflowError (SQLite) or
    DataError (PostgreSQL), a 500, instead of "Select a valid choice".
    """

    def _check_values(self, value):
        meta = self.queryset.model._meta
        field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        low, high = connections[self.queryset.db].ops.integer_field_range(field.get_internal_type())
        for pk in value if isinstance(value, (list, tuple)) else []:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # the parent reports it as an invalid value
            if (low is not None and number < low) or (high is not None and number > high):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class SyndicateBuildForm(PlainForm):
    size = forms.IntegerField(min_value=2, max_value=8, initial=4, label="Students per syndicate")
    leads = IdsChoiceField(
        queryset=ForcePerson.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only people whose vetting covers the whole programme are listed.",
    )

    def __init__(self, *args, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leads"].queryset = leads
        self.fields["leads"].label_from_instance = lambda p: f"{p} (vetting to {p.vetting_expires_on:%d %b %Y})"


class SyndicateForm(PlainForm):
    lead = forms.ModelChoiceField(queryset=ForcePerson.objects.none(), required=False, empty_label="No lead")
    is_locked = forms.BooleanField(required=False, label="Locked")

    def __init__(self, *args, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads


class PlacementMoveForm(PlainForm):
    placement = forms.ModelChoiceField(queryset=Placement.objects.none())
    syndicate = forms.ModelChoiceField(queryset=Syndicate.objects.none(), required=False, empty_label="No syndicate")

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placement"].queryset = programme.placements.all()
        self.fields["syndicate"].queryset = programme.syndicates.all()


class TimetableForm(PlainForm):
    activities = IdsChoiceField(
        queryset=Activity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Every syndicate does each scenario once; demonstrations are for everyone.",
    )
    fill_idle = forms.BooleanField(
        required=False,
        initial=True,
        label="Fill free time with contingency and community inputs",
        help_text="Where a syndicate would have nothing on, put an activity that does not rely on a specialist "
        "department (each once per syndicate). The page then says which slots stay free and why.",
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Activity.objects.filter(force=programme.force_id, is_active=True).select_related("department")
        self.fields["activities"].queryset = queryset
        self.fields["activities"].label_from_instance = lambda a: (
            f"{a.title} · {a.get_kind_display()} · {describe_minutes(a.duration_minutes)}"
            + (f" · {a.syndicate_capacity} at once" if a.syndicate_capacity else " · everyone")
            + (" · contingency" if a.is_contingency else "")
            + (f" · with {a.shared_with}" if a.shared_with else "")
        )


class ContingencyForm(PlainForm):
    activity = forms.ModelChoiceField(
        queryset=Activity.objects.none(), widget=forms.RadioSelect, empty_label=None, label="Contingency activity"
    )

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(pk__in=[a.pk for a in options])


class AttendanceForm(PlainForm):
    placement = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=Attendance.Status.choices)
    arrived_at = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}), label="Arrived at")


class SpendEntryForm(PlainForm):
    category = forms.ChoiceField(choices=BudgetLine.Category.choices)
    date = forms.DateField()
    amount = forms.DecimalField(min_value=0.01, max_digits=10, decimal_places=2, label="Amount (£)")
    note = forms.CharField(max_length=200, required=False)
    # Sent only by the "record it anyway" button of the warning shown when spend would pass the allocation.
    past_allocation_confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class PlanningHoursForm(PlainForm):
    department = forms.ModelChoiceField(queryset=Department.objects.none())
    hours = forms.DecimalField(min_value=0, max_digits=6, decimal_places=1, label="Planning hours")

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(force=programme.force_id)


# --- programme set-up -------------------------------------------------------------------------

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class DayField(forms.DateField):
    """A date picker that refuses dates no programme could have (and that date arithmetic would overflow)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError("Give a date between 2000 and 2100.")


def _number(label, help_text, *, low, high, required=True):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=low,
        max_value=high,
        required=required,
        error_messages={
            "min_value": f"Give {low} or more.",
            "max_value": f"Give {high} or less.",
            "required": "Give a number.",
        },
    )


def _money(label, help_text="", *, required=False):
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        error_messages={"min_value": "Give £0 or more."},
    )


class ProgrammeForm(PlainModelForm):
    """A programme's details. The force is the coordinator's; the status follows from the dates."""

    title = forms.CharField(
        max_length=200,
        label="Title",
        error_messages={"required": "Enter the programme's title"},
        help_text="As schools and students will see it, for example “Summer work-experience week 2027”.",
    )
    start_date = DayField(label="First day")
    end_date = DayField(label="Last day", help_text="Weekends in between are not placement days.")
    nomination_opens = DayField(label="Nominations open on", help_text="Schools can nominate students from this day.")
    nomination_closes = DayField(
        label="Nominations close on",
        help_text="The last day schools can nominate. It must be no later than the first day of the programme.",
    )
    capacity = _number("Student places", "How many students can take part.", low=1, high=500)
    reserved_send_places = _number(
        "Places kept for SEND schools",
        "Places held for students from special schools (SEND or LDD). Give 0 if none are kept.",
        low=0,
        high=500,
    )
    max_per_institution = _number(
        "Most places for one school",
        "So that places are shared out. Leave blank for no limit.",
        low=1,
        high=500,
        required=False,
    )
    min_age = _number("Youngest age", "A student's age on the first day of the programme.", low=5, high=99)
    max_age = _number(
        "Oldest age",
        "On the first day. Leave blank for no upper limit (for example, for university students).",
        low=5,
        high=99,
        required=False,
    )
    attendance_threshold_pct = _number(
        "Attendance for a certificate (%)",
        "Share of the programme's days a student must attend to earn a certificate.",
        low=0,
        high=100,
    )
    mentor_first_contact_within_days = _number(
        "First mentor contact within (days)",
        "Days after mentoring starts by which a student's career mentor must first get in touch.",
        low=1,
        high=90,
    )
    mentor_contact_every_days = _number(
        "Mentor contact at least every (days)",
        "After the first contact, the longest a mentor may go without getting in touch.",
        low=1,
        high=180,
    )
    mentoring_months = _number(
        "Mentoring lasts (months)", "How long a student keeps their career mentor after the programme.", low=1, high=36
    )

    class Meta:
        model = Programme
        fields = [
            "kind",
            "title",
            "start_date",
            "end_date",
            "nomination_opens",
            "nomination_closes",
            "capacity",
            "reserved_send_places",
            "max_per_institution",
            "min_age",
            "max_age",
            "attendance_threshold_pct",
            "mentor_first_contact_within_days",
            "mentor_contact_every_days",
            "mentoring_months",
        ]
        labels = {"kind": "Kind of programme"}
        help_texts = {
            "kind": "A school week (school students, one week) or a university placement (undergraduates, a few days)."
        }

    def details(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class NewProgrammeForm(ProgrammeForm):
    """A new programme, with what it plans to spend in each budget category (each optional)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category, label in BudgetLine.Category.choices:
            self.fields[f"budget_{category}"] = _money(f"{label} (£)")

    def budget_fields(self):
        return [self[f"budget_{category}"] for category in BudgetLine.Category.values]

    def planned_budget(self):
        return {category: self.cleaned_data.get(f"budget_{category}") for category in BudgetLine.Category.values}


class ProgrammeCopyForm(PlainForm):
    """The new title and dates of a copy; every other detail comes from the programme copied."""

    title = forms.CharField(
        max_length=200,
        label="Title of the new programme",
        error_messages={"required": "Enter the new programme's title"},
    )
    start_date = DayField(label="First day")
    end_date = DayField(label="Last day")
    nomination_opens = DayField(label="Nominations open on")
    nomination_closes = DayField(label="Nominations close on", help_text="No later than the first day.")

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source

    def clean(self):
        data = super().clean()
        names = ("start_date", "end_date", "nomination_opens", "nomination_closes")
        if any(data.get(name) is None for name in names):
            return data
        candidate = Programme(
            **{name: getattr(self.source, name) for name in ProgrammeForm.Meta.fields},
        )
        for name in names:
            setattr(candidate, name, data[name])
        try:
            candidate.clean()
        except forms.ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    self.add_error(field if field in self.fields else None, problem)
        return data


class LengthField(forms.CharField):
    """A length in plain words ("90 minutes", "2 hours", "half day", "full day", "2 days"), cleaned to minutes."""

    shortest, longest = 15, LONGEST_DAYS * DAY_MINUTES

    def prepare_value(self, value):
        if isinstance(value, int):
            return describe_minutes(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > 60:
            raise forms.ValidationError("Keep the length short, for example “2 hours” or “full day”.")
        try:
            minutes = parse_length(text)
        except PlanningError as error:
            raise forms.ValidationError(str(error)) from None
        if minutes < self.shortest:
            raise forms.ValidationError(f"Give at least {self.shortest} minutes.")
        if minutes > self.longest:
            raise forms.ValidationError(f"Give no more than {LONGEST_DAYS} days.")
        return minutes


class OutcomeForm(PlainForm):
    """One learning outcome of an activity; a row left empty is no outcome."""

    text = forms.CharField(
        max_length=200,
        required=False,
        label="Outcome",
        help_text="What a student can do afterwards, for example “Identify key stakeholders”.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    easy_read_text = forms.CharField(
        max_length=200,
        required=False,
        label="In easy-read words (optional)",
        help_text="For easy-read surveys, for example “Say who the police work with”.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    text_cy = forms.CharField(
        max_length=200,
        required=False,
        label="In Welsh (optional)",
        help_text="For surveys read in Welsh, for example “Nodi rhanddeiliaid allweddol”.",
        widget=forms.Textarea(attrs={"rows": 2, "lang": "cy"}),
    )

    def clean(self):
        data = super().clean()
        extra = (data.get("easy_read_text") or "").strip() or (data.get("text_cy") or "").strip()
        if extra and not (data.get("text") or "").strip():
            self.add_error("text", "Give the outcome that these easy-read or Welsh words are for.")
        return data


class BaseOutcomeFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            text = " ".join((form.cleaned_data.get("text") or "").split())
            if text and text.casefold() in seen:
                form.add_error("text", "This outcome is listed twice: give each outcome once.")
            seen.add(text.casefold())

    def outcomes(self):
        """(words, easy-read words, Welsh words) in the order given, empty rows left out."""
        from .services import OutcomeWords

        rows = [OutcomeWords(*(f.cleaned_data.get(name) or "" for name in OutcomeWords._fields)) for f in self.forms]
        return [row for row in rows if row.text.strip()]


def outcome_formset(*, data=None, outcomes=()):
    """The outcomes of an activity as rows to edit, with empty rows to add more (up to MAX_OUTCOMES)."""
    from .services import MAX_OUTCOMES

    initial = [{"text": o.text, "easy_read_text": o.easy_read_text, "text_cy": o.text_cy} for o in outcomes]
    extra = max(0, min(MAX_OUTCOMES, max(3, len(initial) + 2)) - len(initial))
    formset_class = forms.formset_factory(
        OutcomeForm,
        formset=BaseOutcomeFormSet,
        extra=extra,
        max_num=MAX_OUTCOMES,
        validate_max=True,
        absolute_max=MAX_OUTCOMES,
    )
    formset = formset_class(data, initial=initial, prefix="outcomes")
    formset.error_messages = {
        **formset.error_messages,
        "too_many_forms": f"Give at most {MAX_OUTCOMES} outcomes for one activity.",
        "missing_management_form": "The outcomes did not arrive whole: open the page again and retry.",
    }
    for number, row in enumerate(formset.forms, 1):
        row.fields["text"].label = f"Outcome {number}"
        row.fields["easy_read_text"].label = f"Outcome {number} in easy-read words"
        row.fields["text_cy"].label = f"Outcome {number} in Welsh"
        if number > 1:  # the examples once, not on every row
            for field in row.fields.values():
                field.help_text = ""
    return formset


class ActivityForm(PlainModelForm):
    """An activity of the force's catalogue; department and staff choices are the force's own."""

    title = forms.CharField(max_length=120, label="Name")
    title_cy = forms.CharField(
        max_length=120,
        required=False,
        label="Name in Welsh",
        help_text="Families who read Welsh see it in the student's timetable, calendar file and change emails.",
    )
    description = forms.CharField(
        required=False,
        label="What happens",
        help_text="A few lines for leads and students.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        required=False,
        empty_label="None: a community partner delivers it",
        label="Department that delivers it",
        help_text="Leave blank if a community partner delivers it.",
    )
    community_partner = forms.CharField(
        max_length=120,
        required=False,
        label="Or: community partner that delivers it",
        help_text="For example a youth forum or a charity.",
    )
    duration_minutes = LengthField(
        label="Length",
        help_text="In words: “90 minutes”, “2 hours”, “half day” (a morning), “full day” or “2 days”. Most inputs "
        "take about two hours; longer ones run over breaks and lunch, which are kept, and several days run in a row.",
        error_messages={"required": "Give the length, for example “2 hours” or “full day”."},
    )
    staff_needed = _number("Staff needed", "How many people deliver it: 1 to 3.", low=1, high=3)
    syndicate_capacity = _number(
        "Syndicates at once",
        "How many syndicates can do it together. Leave blank if everyone can, as for a demonstration.",
        low=1,
        high=50,
        required=False,
    )
    venue = forms.CharField(max_length=200, required=False, label="Where")
    shared_with = forms.CharField(
        max_length=200,
        required=False,
        label="Shared with (optional)",
        help_text="People from outside the cohort who attend too, for example “Recruits' intake, class 3”. Give "
        "the venue above and the staff below: the timetable keeps both free for it.",
    )
    risk_assessed_on = DayField(
        required=False,
        label="Risk assessment approved on",
        help_text="Needed once it is approved. An approval more than a year before a programme shows as out of date.",
    )
    delivering_staff = IdsChoiceField(
        queryset=ForcePerson.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who delivers it",
        help_text="People of your force who run it (optional).",
    )

    class Meta:
        model = Activity
        fields = [*ACTIVITY_FIELDS, "delivering_staff"]
        labels = {
            "kind": "Kind",
            "risk_assessment_status": "Risk assessment",
            "is_contingency": "Can stand in for a cancelled session",
        }
        help_texts = {
            "kind": "A scenario is done by each syndicate in turn; a demonstration is for everyone at once.",
            "is_contingency": "It does not rely on a specialist department, so it can run when one is called away.",
        }

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(force=force)
        self.fields["delivering_staff"].queryset = ForcePerson.objects.for_force(force).active()

    def clean(self):
        data = super().clean()
        if "department" in data and not data.get("department") and not data.get("community_partner", "").strip():
            self.add_error("department", "Say who delivers it: a department or a community partner.")
        approved = data.get("risk_assessment_status") == Activity.RiskAssessment.APPROVED
        if approved and "risk_assessed_on" in data and data.get("risk_assessed_on") is None:
            self.add_error("risk_assessed_on", "Give the day the risk assessment was approved.")
        if data.get("risk_assessed_on") and data["risk_assessed_on"] > timezone.localdate():
            self.add_error("risk_assessed_on", "That day has not come yet.")
        return data

    def details(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "delivering_staff"}


class ActivityInUseForm(PlainForm):
    in_use = forms.TypedChoiceField(choices=[("yes", "Bring back"), ("no", "Retire")], coerce=lambda v: v == "yes")


class UnavailabilityForm(PlainForm):
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), label="Department", empty_label="Choose a department"
    )
    starts_at = forms.DateTimeField(label="From")
    ends_at = forms.DateTimeField(label="Until")
    reason = forms.CharField(
        max_length=200, required=False, label="Why (optional)", help_text="For example an operation or training day."
    )

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(force=force)

    def clean(self):
        data = super().clean()
        for name in ("starts_at", "ends_at"):
            value = data.get(name)
            if value is not None and not EARLIEST <= value.date() <= LATEST:
                self.add_error(name, "Give a date between 2000 and 2100.")
                data.pop(name, None)
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The end must be after the start.")
        return data


class BudgetLineAddForm(PlainForm):
    category = forms.ChoiceField(choices=BudgetLine.Category.choices, label="Category")
    description = forms.CharField(
        max_length=200, required=False, label="Description", help_text="Optional: for example “Coach hire, two days”."
    )
    planned = _money("Planned (£)", required=True)

    def __init__(self, *args, used=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(v, label) for v, label in BudgetLine.Category.choices if v not in used]


class BudgetLineForm(PlainForm):
    description = forms.CharField(max_length=200, required=False, label="Description")
    planned = _money("Planned (£)", required=True)


class FundingForm(PlainForm):
    """Who pays, from which fund, and the allocation the programme's spending should stay within."""

    sponsor = forms.CharField(
        max_length=200, required=False, label="Sponsor", help_text="Who pays, for example “Workforce Development”."
    )
    funding_source = forms.CharField(
        max_length=200,
        required=False,
        label="Funding source",
        help_text="Which fund or budget, for example “Prevention First grant 2026–27”.",
    )
    budget_allocated = _money(
        "Allocation (£)",
        "The most the programme may spend. You are asked before recording spend that passes it. "
        "Leave blank if there is no set sum.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_allocated"].error_messages["invalid"] = "Give an amount in pounds, for example 2700."


# --- the force's people and departments ---------------------------------------------------------


class PersonForm(PlainModelForm):
    """A person's details and roles. No account and no force: those never come from the form."""

    class Meta:
        model = ForcePerson
        fields = ["name", "kind", "rank", "department", "email", "vetting_expires_on", "is_mentor", "is_coordinator"]
        labels = {
            "name": "Full name",
            "kind": "Role",
            "rank": "Rank or job title",
            "department": "Department",
            "email": "Email address",
            "vetting_expires_on": "Vetting (DBS) expiry date",
            "is_mentor": "Career mentor",
            "is_coordinator": "Programme coordinator",
        }
        help_texts = {
            "name": "As it should appear on timetables and registers.",
            "rank": "For example PC, Sergeant, PCSO or Scenario planner. Printed before the name on documents.",
            "email": "Where invitations and reminders go. Needed to invite them to sign in.",
            "vetting_expires_on": "Leave blank if not known: they will not be offered as a syndicate lead or mentor "
            "until it is recorded. For example 31 3 2028.",
            "is_mentor": "They can be given students to mentor after the week.",
            "is_coordinator": "They run the programmes and see every student's record of the force, including "
            "support needs and medical notes. Coordinators must use a second sign-in step.",
        }
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        department.queryset = Department.objects.filter(force=force).order_by("name")
        department.empty_label = "No department"
        department.help_text = "The unit they work in, if it matters for the programme."
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0]]
        self.fields["name"].error_messages["required"] = "Enter the person's full name"
        self.fields["kind"].error_messages["required"] = "Select whether they are an officer, PCSO, staff or volunteer"

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter the person's full name")
        return name

    def clean_vetting_expires_on(self):
        day = self.cleaned_data.get("vetting_expires_on")
        if day is not None and not (date(1990, 1, 1) <= day <= timezone.localdate().replace(day=1) + YEARS_15):
            raise forms.ValidationError("Check the year: give a date between 1990 and 15 years from now.")
        return day

    def details(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


YEARS_15 = timedelta(days=15 * 366)


class DepartmentForm(PlainModelForm):
    class Meta:
        model = Department
        fields = ["name", "is_specialist", "no_consecutive_weeks", "contact_name", "contact_email"]
        labels = {
            "name": "Department name",
            "contact_name": "Contact's name",
            "contact_email": "Contact's email",
            "is_specialist": "Specialist department",
            "no_consecutive_weeks": "Cannot run weeks in a row",
        }
        help_texts = {
            "name": "For example Dog Unit, Roads Policing or Force Control Room.",
            "is_specialist": "Specialist departments (dogs, air service, major crime) can be called away at short "
            "notice, so the timetable keeps stand-in activities ready for their sessions.",
            "no_consecutive_weeks": "If it runs in one of your programmes, new timetables of your other programmes "
            "leave it out of the week before and the week after.",
            "contact_email": "Who is emailed the department's sessions of each programme, with a calendar file, and "
            "told of any change to them.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "Enter the department name"

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter the department name")
        return name
