from django.conf import settings
from django.db import models
from django.db.models import F, Q


class MentorAssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=MentorAssignment.Status.ACTIVE)


class MentorAssignment(models.Model):
    """A career mentor assigned to a student after the week (with consent)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

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
        ]

    def __str__(self):
        return f"{self.mentor} mentoring placement {self.placement_id}"


class MentorContact(models.Model):
    """One contact between a mentor and their mentee."""

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
