from django.conf import settings
from django.db import models
from django.db.models import F, Q


class MentoringSettings(models.Model):
    """A force's mentoring rules that are not per programme: mentor load and an optional end age."""

    force = models.OneToOneField("placements.Force", on_delete=models.CASCADE, related_name="mentoring_settings")
    max_mentees_per_mentor = models.PositiveSmallIntegerField(
        default=6, help_text="Most active mentees one mentor may hold at once."
    )
    end_at_age = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Mentoring also ends on the student's birthday at this age (blank: no age limit).",
    )

    class Meta:
        verbose_name = "mentoring settings"
        verbose_name_plural = "mentoring settings"
        constraints = [
            models.CheckConstraint(condition=Q(max_mentees_per_mentor__gt=0), name="mentoring_settings_max_positive"),
        ]

    def __str__(self):
        return f"Mentoring settings for {self.force}"


class MentoringReferral(models.Model):
    """The coordinator put a student forward for a mentor (instead of the student asking on the survey)."""

    placement = models.OneToOneField(
        "placements.Placement", on_delete=models.CASCADE, related_name="mentoring_referral"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referred_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Placement {self.placement_id} put forward for mentoring"


class MentorAssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=MentorAssignment.Status.ACTIVE)


class MentorAssignment(models.Model):
    """A career mentor assigned to a student after the week (with consent)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    class EndReason(models.TextChoices):
        PERIOD_OVER = "period_over", "Mentoring period over"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
        COORDINATOR = "coordinator", "Ended by the coordinator"

    placement = models.ForeignKey("placements.Placement", on_delete=models.CASCADE, related_name="mentor_assignments")
    mentor = models.ForeignKey("placements.ForcePerson", on_delete=models.PROTECT, related_name="mentees")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    next_due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MentorAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["next_due_on"]
        indexes = [models.Index(fields=["mentor", "status"]), models.Index(fields=["status", "next_due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["placement"], condition=Q(status="active"), name="mentor_assignment_one_active_per_placement"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="mentor_assignment_ends_after_start"),
            models.CheckConstraint(
                condition=Q(status="active") | Q(ended_at__isnull=False), name="mentor_assignment_ended_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.mentor} mentoring placement {self.placement_id}"


class MentorContact(models.Model):
    """One contact between a mentor and their mentee."""

    # What a child told their mentor (see Nomination.SPECIAL_CATEGORY_FIELDS): reads audited, never searched.
    SPECIAL_CATEGORY_FIELDS = ("summary", "next_step", "sensitive_notes")

    class Method(models.TextChoices):
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email"
        VIDEO = "video", "Video call"
        IN_PERSON = "in_person", "In person"

    assignment = models.ForeignKey(MentorAssignment, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField()
    method = models.CharField(max_length=20, choices=Method.choices)
    summary = models.CharField(max_length=500)
    next_step = models.CharField(max_length=300, blank=True)
    sensitive_notes = models.TextField(blank=True, help_text="Only the mentor and coordinators see these.")
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    logged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contacted_on"]

    def __str__(self):
        return f"{self.get_method_display()} on {self.contacted_on}"


class MentorReminder(models.Model):
    """One reminder (or escalation) for one due date of one assignment: the row is what makes it once only."""

    class Kind(models.TextChoices):
        DUE = "due", "Contact due"
        OVERDUE = "overdue", "Second reminder (7 days overdue)"
        ESCALATION = "escalation", "Escalated to coordinators (14 days overdue)"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        SUPERSEDED = "superseded", "Not sent: a later reminder went instead"
        NO_ADDRESS = "no_address", "Not sent: no email address"
        CANCELLED = "cancelled", "Cancelled: mentoring ended"

    # Days after the due date at which each kind goes out.
    OFFSETS = {Kind.DUE: 0, Kind.OVERDUE: 7, Kind.ESCALATION: 14}

    assignment = models.ForeignKey(MentorAssignment, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "due_on", "kind"], name="mentor_reminder_once_per_due_date")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.due_on}"


class Outcome(models.Model):
    """A milestone on a former student's path, recorded over the years after the week."""

    class Milestone(models.TextChoices):
        JOINED_CADETS = "joined_cadets", "Joined cadets"
        JOINED_SPECIALS = "joined_specials", "Joined volunteer police cadets or specials"
        APPLIED_OFFICER = "applied_officer", "Applied to the force as an officer"
        APPLIED_STAFF = "applied_staff", "Applied to the force as staff"
        RECRUITED = "recruited", "Recruited"
        OTHER_CAREER = "other_career", "Chose another career"
        LOST_CONTACT = "lost_contact", "Lost contact"

    placement = models.ForeignKey("placements.Placement", on_delete=models.CASCADE, related_name="outcomes")
    milestone = models.CharField(max_length=30, choices=Milestone.choices)
    occurred_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["occurred_on"]
        constraints = [models.UniqueConstraint(fields=["placement", "milestone"], name="outcome_one_per_milestone")]

    def __str__(self):
        return self.get_milestone_display()
