from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.languages import ENGLISH, LANGUAGE_CHOICES, welsh_active
from core.models import EmailedInvitation

from .planning import describe_minutes


class Force(models.Model):
    """A police force: the tenant. Nothing of one force is visible to another."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    default_language = models.CharField(
        "language for the public",
        max_length=8,
        choices=LANGUAGE_CHOICES,
        default=ENGLISH,
        help_text="What guardians, students and schools see first. Each person can switch on every public page.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(max_length=120)
    is_specialist = models.BooleanField(
        default=True, help_text="Specialist departments (dogs, air service, major crime) may be called away."
    )
    no_consecutive_weeks = models.BooleanField(
        default=False,
        help_text="Cannot deliver in two weeks in a row: a week it runs in one programme keeps it out of the "
        "weeks either side in the force's other programmes.",
    )
    # Who is told the department's sessions (and any change to them) for each programme.
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["force", "name"], name="department_unique_name_per_force")]

    def __str__(self):
        return self.name


class ForcePersonQuerySet(models.QuerySet):
    def for_force(self, force):
        return self.filter(force=force)

    def active(self):
        return self.filter(is_active=True)

    def coordinators(self):
        """Active coordinators, with their sign-in accounts (for `contact_email`)."""
        return self.filter(is_active=True, is_coordinator=True).select_related("user")

    def coordinators_to_email(self):
        """Active coordinators who have an address to email (their own, else their account's)."""
        return [person for person in self.coordinators() if person.contact_email]

    def vetted_between(self, start, end):
        """People whose vetting is in date for the whole of [start, end]."""
        return self.filter(vetting_expires_on__gte=end)


class ForcePerson(models.Model):
    """An officer, PCSO, member of staff or volunteer; may lead a syndicate or mentor students."""

    class Kind(models.TextChoices):
        OFFICER = "officer", "Police officer"
        PCSO = "pcso", "PCSO"
        STAFF = "staff", "Police staff"
        VOLUNTEER = "volunteer", "Volunteer"

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="force_person"
    )
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OFFICER)
    rank = models.CharField(max_length=60, blank=True, help_text="Rank or job title, as printed on documents.")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    vetting_expires_on = models.DateField(null=True, blank=True, help_text="Vetting/DBS expiry date.")
    is_coordinator = models.BooleanField(default=False, help_text="Runs the force's programmes.")
    is_mentor = models.BooleanField(default=False, help_text="May be assigned students to mentor.")
    is_active = models.BooleanField(default=True)

    objects = ForcePersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "force person"
        verbose_name_plural = "force people"
        indexes = [models.Index(fields=["force", "is_active"])]

    def __str__(self):
        return f"{self.rank} {self.name}".strip()

    @property
    def contact_email(self):
        """Where to email this person: their own address, else their sign-in account's."""
        return self.email or (self.user.email if self.user_id else "")

    def vetting_valid_through(self, day):
        return self.vetting_expires_on is not None and self.vetting_expires_on >= day


class ForcePersonInvitation(EmailedInvitation):
    """An emailed, single-use link for a force person to get a sign-in (7 days); only its hash is stored."""

    person = models.ForeignKey(ForcePerson, on_delete=models.CASCADE, related_name="invitations")

    class Meta(EmailedInvitation.Meta):
        verbose_name = "invitation to sign in"

    def __str__(self):
        return f"Invitation to sign in for {self.person}"


class ProgrammeQuerySet(models.QuerySet):
    def for_force(self, force):
        return self.filter(force=force)

    def active(self):
        return self.exclude(status__in=[Programme.Status.COMPLETED, Programme.Status.CANCELLED])


class WeekGroup(models.Model):
    """Linked weeks: several weeks of one force, of one kind, fed by one nomination round.

    Schools nominate to the home week, whose schools and quotas serve the whole round; the
    selection assistant then moves each student offered a place to a week they can do. Every week
    of the round keeps the home week's nomination window.
    """

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="week_groups")
    name = models.CharField(max_length=120, help_text="e.g. Summer 2027 weeks.")
    home = models.OneToOneField(
        "Programme", on_delete=models.CASCADE, related_name="home_of_group", help_text="The week schools nominate to."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "linked weeks"
        verbose_name_plural = "linked weeks"

    def __str__(self):
        return self.name


class Programme(models.Model):
    """One run of a placement programme: a school week or a university placement."""

    class Kind(models.TextChoices):
        SCHOOL_WEEK = "school_week", "School work-experience week"
        UNIVERSITY = "university", "University placement"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        NOMINATIONS_OPEN = "nominations_open", "Nominations open"
        SELECTION = "selection", "Selection"
        CONFIRMED = "confirmed", "Places confirmed"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="programmes")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SCHOOL_WEEK)
    title = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField()
    capacity = models.PositiveIntegerField(help_text="Number of student places.")
    nomination_opens = models.DateField()
    nomination_closes = models.DateField()
    reserved_send_places = models.PositiveIntegerField(
        default=0, help_text="Places reserved for students from SEND/LDD schools."
    )
    max_per_institution = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most places one institution can receive (blank: no cap)."
    )
    min_age = models.PositiveSmallIntegerField(default=14, help_text="Youngest age on the start date.")
    max_age = models.PositiveSmallIntegerField(
        null=True, blank=True, default=17, help_text="Oldest age on the start date (blank: no upper limit)."
    )
    attendance_threshold_pct = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of days attended that earns a certificate.",
    )
    mentor_contact_every_days = models.PositiveSmallIntegerField(default=28)
    mentor_first_contact_within_days = models.PositiveSmallIntegerField(default=14)
    mentoring_months = models.PositiveSmallIntegerField(default=12)
    # Money: who pays, from which fund, and the sum allocated. The allocation is a ceiling: spend that
    # would pass it is asked about first (services.spend_entry_add).
    sponsor = models.CharField(max_length=200, blank=True, help_text="Who pays for the programme.")
    funding_source = models.CharField(max_length=200, blank=True, help_text="Which fund or budget the money is from.")
    budget_allocated = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The most the programme may spend, in pounds (blank: no ceiling set).",
    )
    week_group = models.ForeignKey(
        WeekGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="weeks",
        help_text="The linked weeks this week belongs to (one nomination round for all of them).",
    )
    # Not set by hand: follows from the dates and the selection (stage_on), stored so that lists can
    # filter on it. services.programme_status_refresh keeps it current; only "cancelled" is an action.
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "title"]
        indexes = [models.Index(fields=["force", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="programme_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="programme_capacity_positive"),
            models.CheckConstraint(
                condition=Q(nomination_closes__gte=F("nomination_opens")), name="programme_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(nomination_closes__lte=F("start_date")), name="programme_window_before_start"
            ),
            models.CheckConstraint(
                condition=Q(reserved_send_places__lte=F("capacity")), name="programme_reserved_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(max_per_institution__isnull=True) | Q(max_per_institution__gt=0),
                name="programme_institution_cap_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True) | Q(max_age__gte=F("min_age")), name="programme_age_band_ordered"
            ),
            models.CheckConstraint(
                condition=Q(attendance_threshold_pct__lte=100), name="programme_attendance_threshold_pct"
            ),
            models.CheckConstraint(
                condition=Q(mentor_contact_every_days__gt=0), name="programme_mentor_cadence_positive"
            ),
            models.CheckConstraint(
                condition=Q(budget_allocated__isnull=True) | Q(budget_allocated__gte=0),
                name="programme_budget_allocated_not_negative",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def days(self):
        """The programme's working days (weekends are not placement days)."""
        span = (self.end_date - self.start_date).days + 1
        every_day = (self.start_date + timedelta(days=i) for i in range(span))
        return [day for day in every_day if day.weekday() < 5]

    def nominations_open_on(self, day):
        return self.nomination_opens <= day <= self.nomination_closes

    def clean(self):
        """The rules of the table's check constraints, each as a message on the field to correct."""
        errors = {}
        dated = self.start_date is not None and self.end_date is not None
        if dated and self.end_date < self.start_date:
            errors["end_date"] = f"The last day must be on or after the first day ({_day(self.start_date)})."
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = "A programme needs at least one place."
        opens, closes = self.nomination_opens, self.nomination_closes
        if opens is not None and closes is not None and closes < opens:
            errors["nomination_closes"] = f"Nominations must close on or after the day they open ({_day(opens)})."
        elif closes is not None and self.start_date is not None and closes > self.start_date:
            errors["nomination_closes"] = (
                f"Nominations must close by the first day of the programme ({_day(self.start_date)})."
            )
        reserved, capacity = self.reserved_send_places, self.capacity
        if reserved is not None and capacity is not None and capacity >= 1 and reserved > capacity:
            errors["reserved_send_places"] = (
                f"There are only {capacity} places, so no more than {capacity} can be reserved."
            )
        if self.max_per_institution is not None and self.max_per_institution < 1:
            errors["max_per_institution"] = "Leave this blank for no limit, or give at least 1."
        if self.max_age is not None and self.min_age is not None and self.max_age < self.min_age:
            errors["max_age"] = f"The oldest age cannot be below the youngest age ({self.min_age})."
        if self.attendance_threshold_pct is not None and self.attendance_threshold_pct > 100:
            errors["attendance_threshold_pct"] = "Give a share from 0 to 100."
        if self.mentor_contact_every_days is not None and self.mentor_contact_every_days < 1:
            errors["mentor_contact_every_days"] = "Give a number of days: 1 or more."
        if errors:
            raise ValidationError(errors)

    def stage_on(self, day, *, offers_made=0, offers_awaiting=0):
        """The stage on `day`, from the dates and the selection facts; "cancelled" only ever by the action.

        Before the window: draft. In it: nominations open. Once it closes, or once offers are made:
        selection. Window closed, offers made and every offer answered: places confirmed. Then running
        from the first to the last day, and completed after it.
        """
        if self.status == self.Status.CANCELLED:
            return self.Status.CANCELLED
        if day > self.end_date:
            return self.Status.COMPLETED
        if day >= self.start_date:
            return self.Status.RUNNING
        closed = day > self.nomination_closes
        if closed and offers_made and not offers_awaiting:
            return self.Status.CONFIRMED
        if closed or offers_made:
            return self.Status.SELECTION
        if day >= self.nomination_opens:
            return self.Status.NOMINATIONS_OPEN
        return self.Status.DRAFT

    def stage_explanation(self, day, *, offers_awaiting=None):
        """The stored status in plain words, with the date that matters next ("Taking nominations until …")."""
        status = self.Status
        if self.status == status.CANCELLED:
            return "Cancelled: nothing more happens on it. It stays on record."
        if self.status == status.COMPLETED:
            return f"Finished on {_day(self.end_date)}."
        if self.status == status.RUNNING:
            return f"Running until {_day(self.end_date)}."
        if self.status == status.CONFIRMED:
            return f"Places confirmed. The programme starts on {_day(self.start_date)}."
        if self.status == status.SELECTION:
            if offers_awaiting:
                offers = f"{offers_awaiting} offer{'s' * (offers_awaiting != 1)}"
                return f"Choosing students: waiting for answers to {offers}."
            if day <= self.nomination_closes:
                return f"Choosing students; nominations stay open until {_day(self.nomination_closes)}."
            return f"Choosing students: nominations closed on {_day(self.nomination_closes)}."
        if self.status == status.NOMINATIONS_OPEN:
            return f"Taking nominations until {_day(self.nomination_closes)}."
        return f"Being set up. Nominations open on {_day(self.nomination_opens)}."

    @property
    def status_explanation(self):
        return self.stage_explanation(timezone.localdate())


def _day(value):
    return f"{value.day} {value:%B %Y}"


class Syndicate(models.Model):
    """A small group of students (usually four) led by one volunteer for the week."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="syndicates")
    name = models.CharField(max_length=60)
    lead = models.ForeignKey(
        ForcePerson, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_syndicates"
    )
    is_locked = models.BooleanField(default=False, help_text="Locked syndicates are not changed by the builder.")

    class Meta:
        ordering = ["programme", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="syndicate_unique_name")]

    def __str__(self):
        return self.name


class PlacementQuerySet(models.QuerySet):
    def for_programme(self, programme):
        return self.filter(programme=programme)

    def active(self):
        return self.filter(status=Placement.Status.CONFIRMED)


class Placement(models.Model):
    """An accepted student's place on a programme."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="placements")
    nomination = models.OneToOneField("schools.Nomination", on_delete=models.PROTECT, related_name="placement")
    syndicate = models.ForeignKey(
        Syndicate, null=True, blank=True, on_delete=models.SET_NULL, related_name="placements"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "nomination"], name="placement_one_per_student_programme")
        ]

    def __str__(self):
        return f"{self.nomination} on {self.programme}"


class Activity(models.Model):
    """A scenario or demonstration in a force's catalogue, delivered by 1–3 staff: usually about two hours,
    but any length (half a day, a full day, several days in a row), and may be shared with people from
    outside the cohort (a recruits' class) at its own venue with its own staff."""

    class Kind(models.TextChoices):
        SCENARIO = "scenario", "Scenario"
        DEMONSTRATION = "demonstration", "Demonstration"

    class RiskAssessment(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        APPROVED = "approved", "Approved"
        EXPIRED = "expired", "Expired"

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SCENARIO)
    title = models.CharField(max_length=120)
    # What a Welsh-reading family sees in the student's timetable, calendar file and change emails.
    title_cy = models.CharField("name in Welsh", max_length=120, blank=True)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    community_partner = models.CharField(
        max_length=120, blank=True, help_text="Delivered by a community partner instead of a department."
    )
    duration_minutes = models.PositiveIntegerField(default=120)
    staff_needed = models.PositiveSmallIntegerField(default=2)
    syndicate_capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Syndicates at once (blank: everyone, as for a demonstration)."
    )
    venue = models.CharField(max_length=200, blank=True)
    shared_with = models.CharField(
        max_length=200, blank=True, help_text="Who else attends from outside the cohort (a recruits' class)."
    )
    risk_assessment_status = models.CharField(
        max_length=20, choices=RiskAssessment.choices, default=RiskAssessment.NOT_STARTED
    )
    risk_assessed_on = models.DateField(null=True, blank=True)
    is_contingency = models.BooleanField(
        default=False, help_text="Can run without a specialist department, as a stand-in."
    )
    delivering_staff = models.ManyToManyField(ForcePerson, blank=True, related_name="activities")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["force", "slug"], name="activity_unique_slug_per_force"),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="activity_duration_positive"),
            models.CheckConstraint(
                condition=Q(staff_needed__gte=1, staff_needed__lte=3), name="activity_staff_needed_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(syndicate_capacity__isnull=True) | Q(syndicate_capacity__gt=0),
                name="activity_syndicate_capacity_positive",
            ),
        ]

    def __str__(self):
        return self.title

    def shown_title(self) -> str:
        """The name in the language being shown: Welsh where the coordinator gave one, else the name."""
        return self.title_cy if self.title_cy and welsh_active() else self.title

    @property
    def length_in_words(self):
        return describe_minutes(self.duration_minutes)


class LearningOutcome(models.Model):
    """What a student should be able to do after an activity: one short statement, in the activity's order.

    Post surveys can ask students to rate each outcome of the activities they attended; a question keeps
    the outcome's words, so editing or removing an outcome never changes answers already given.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=200)
    easy_read_text = models.CharField(
        max_length=200, blank=True, help_text="The same in easy-read words, for easy-read surveys (optional)."
    )
    text_cy = models.CharField(
        "in Welsh", max_length=200, blank=True, help_text="The same in Welsh, for surveys read in Welsh (optional)."
    )

    class Meta:
        ordering = ["activity", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="learning_outcome_has_words"),
        ]

    def __str__(self):
        return self.text


# What a coordinator sets on an activity (its slug is made once, its force comes from them).
ACTIVITY_FIELDS = (
    "kind",
    "title",
    "title_cy",
    "description",
    "department",
    "community_partner",
    "duration_minutes",
    "staff_needed",
    "syndicate_capacity",
    "venue",
    "shared_with",
    "risk_assessment_status",
    "risk_assessed_on",
    "is_contingency",
)


class Session(models.Model):
    """A slot in a programme's timetable: an activity, when, and which syndicates attend."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        CANCELLED = "cancelled", "Cancelled"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    syndicates = models.ManyToManyField(Syndicate, blank=True, related_name="sessions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        help_text="The cancelled session this contingency session stands in for.",
    )
    # An input longer than a slot takes slots in a row: one session per slot, numbered.
    part = models.PositiveSmallIntegerField(default=1)
    parts = models.PositiveSmallIntegerField(default=1)
    is_filler = models.BooleanField(
        default=False, help_text="A contingency or community input put where a syndicate would have nothing on."
    )

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["programme", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(part__gte=1, part__lte=F("parts")), name="session_part_within_parts"),
        ]

    def __str__(self):
        return f"{self.activity} {self.starts_at:%a %H:%M}"


class Attendance(models.Model):
    """A student's attendance on one day of the programme."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        ABSENT = "absent", "Absent"

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="attendance")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    arrived_at = models.TimeField(null=True, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(fields=["placement", "date"], name="attendance_one_per_student_day"),
            models.CheckConstraint(
                condition=~Q(status="late") | Q(arrived_at__isnull=False), name="attendance_late_has_arrival_time"
            ),
        ]

    def __str__(self):
        return f"{self.placement_id} {self.date} {self.status}"


class BudgetLine(models.Model):
    """Planned and actual spend in one category of a programme's budget."""

    class Category(models.TextChoices):
        TRANSPORT = "transport", "Transport"
        CATERING = "catering", "Catering"
        OVERTIME = "overtime", "Overtime"
        MISC = "misc", "Miscellaneous delivery costs"
        OTHER = "other", "Other"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.CharField(max_length=200, blank=True)
    planned = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    actual = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["programme", "category"]
        constraints = [
            models.CheckConstraint(condition=Q(planned__gte=0), name="budget_planned_not_negative"),
            models.CheckConstraint(condition=Q(actual__gte=0), name="budget_actual_not_negative"),
            models.UniqueConstraint(fields=["programme", "category"], name="budget_one_line_per_category"),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: £{self.planned}"


class DepartmentUnavailability(models.Model):
    """A time a department cannot deliver (an operation, training day, leave): the timetable avoids it."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="unavailable_times")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "department unavailabilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="department_unavailability_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.department} unavailable {self.starts_at:%d %b %H:%M}"


class SpendEntry(models.Model):
    """One item of actual spend against a budget line; recording it adds it to the line's actual."""

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="spend_entries")
    date = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name_plural = "spend entries"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spend_entry_amount_positive")]

    def __str__(self):
        return f"£{self.amount} on {self.date}"


class PlanningHours(models.Model):
    """Hours a department spends planning a programme (delivery hours come from the timetable)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="planning_hours")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="planning_hours")
    hours = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("0"))

    class Meta:
        ordering = ["programme", "department"]
        verbose_name_plural = "planning hours"
        constraints = [
            models.UniqueConstraint(fields=["programme", "department"], name="planning_hours_one_per_department"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="planning_hours_not_negative"),
        ]

    def __str__(self):
        return f"{self.department}: {self.hours} h"
