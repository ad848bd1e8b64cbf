from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.languages import welsh_active
from core.links import new_token_salt


class Event(models.Model):
    """A gathering people are invited to and reply to: the awards ceremony, a community information event.

    `sequence` is the calendar files' SEQUENCE: raised whenever the date, time or venue changes, so a
    calendar that imports the file again moves the event instead of adding a second one.
    """

    class Kind(models.TextChoices):
        CEREMONY = "ceremony", "Awards ceremony"
        INFORMATION = "information", "Community information event"
        OTHER = "other", "Other event"

    force = models.ForeignKey("placements.Force", on_delete=models.CASCADE, related_name="events")
    programme = models.ForeignKey(
        "placements.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        help_text="The programme it belongs to, if any.",
    )
    kind = models.CharField("kind of event", max_length=20, choices=Kind.choices, default=Kind.INFORMATION)
    title = models.CharField(max_length=200)
    description = models.TextField("what it is about", blank=True)
    title_cy = models.CharField("title in Welsh", max_length=200, blank=True)
    description_cy = models.TextField("what it is about, in Welsh", blank=True)
    venue_cy = models.CharField("venue in Welsh", max_length=200, blank=True)
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    venue = models.CharField("venue", max_length=200)
    address = models.TextField("address", blank=True)
    capacity = models.PositiveIntegerField(
        "places", null=True, blank=True, help_text="How many people fit, counting guests. Leave blank for no limit."
    )
    guests_allowed = models.PositiveSmallIntegerField(
        "guests each invitee may bring", default=2, help_text="0 if invitees come alone."
    )
    reply_by = models.DateField("reply by")
    sequence = models.PositiveIntegerField(default=0, editable=False)
    reminder_rounds = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="How many times the coordinator has sent reminders."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.UniqueConstraint(
                fields=["programme"], condition=Q(kind="ceremony"), name="event_one_ceremony_per_programme"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%-d %B %Y})"

    # The coordinator's words as an invitee reads them: in Welsh where Welsh is active and written, else English.
    def _shown(self, name: str) -> str:
        welsh = welsh_active() and getattr(self, f"{name}_cy")
        return welsh or getattr(self, name)

    def shown_title(self) -> str:
        return self._shown("title")

    def shown_description(self) -> str:
        return self._shown("description")

    def shown_venue(self) -> str:
        return self._shown("venue")

    @property
    def address_one_line(self) -> str:
        """The address on one line ("1 High Street, Northtown NT1 1AA"), for calendars and plain-text emails."""
        return ", ".join(line.strip() for line in self.address.splitlines() if line.strip())

    @property
    def is_over(self) -> bool:
        return timezone.now() >= self.ends_at

    def replies_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return today <= self.reply_by and not self.is_over


class InvitationQuerySet(models.QuerySet):
    def not_replied(self):
        return self.filter(answer="")

    def coming(self):
        return self.filter(answer=Invitation.Answer.YES)


class Invitation(models.Model):
    """One person invited to an event, and their reply.

    Whom it is for is read from the row it points at (a student's place, a school contact, a member of
    staff), so no name or address is copied; only a community member's name and email are typed in and
    kept here. The reply link's token is made from `token_salt` (with SECRET_KEY) when an email is sent;
    only its SHA-256 is stored. A new link (a new salt) makes the old one stop working.
    """

    class Kind(models.TextChoices):
        STUDENT = "student", "Student"
        GUARDIAN = "guardian", "Parent or guardian"
        SCHOOL = "school", "School contact"
        LEAD = "lead", "Syndicate lead"
        MENTOR = "mentor", "Mentor"
        COMMUNITY = "community", "Community member"

    class Answer(models.TextChoices):
        NONE = "", "Not replied yet"
        YES = "yes", "Coming"
        NO = "no", "Not coming"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    placement = models.ForeignKey(
        "placements.Placement", null=True, blank=True, on_delete=models.CASCADE, related_name="event_invitations"
    )
    contact = models.ForeignKey(
        "schools.InstitutionContact", null=True, blank=True, on_delete=models.CASCADE, related_name="event_invitations"
    )
    person = models.ForeignKey(
        "placements.ForcePerson", null=True, blank=True, on_delete=models.CASCADE, related_name="event_invitations"
    )
    name = models.CharField("name", max_length=200, blank=True, help_text="Only for a community member.")
    email = models.EmailField("email", blank=True, help_text="Only for a community member.")
    answer = models.CharField(max_length=5, choices=Answer.choices, blank=True, default="")
    guests = models.PositiveSmallIntegerField(default=0)
    replied_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_salt = models.CharField(max_length=32, default=new_token_salt, editable=False)
    link_version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised with each new link, so a page opened with an old one stops."
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(answer="yes") | Q(guests=0), name="invitation_guests_only_if_coming"),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=["student", "guardian"],
                        placement__isnull=False,
                        contact__isnull=True,
                        person__isnull=True,
                    )
                    | Q(kind="school", contact__isnull=False, placement__isnull=True, person__isnull=True)
                    | Q(kind__in=["lead", "mentor"], person__isnull=False, placement__isnull=True, contact__isnull=True)
                    | Q(kind="community", placement__isnull=True, contact__isnull=True, person__isnull=True)
                ),
                name="invitation_points_at_its_kind",
            ),
            models.UniqueConstraint(
                fields=["event", "kind", "placement"],
                condition=Q(placement__isnull=False),
                name="invitation_one_per_place",
            ),
            models.UniqueConstraint(
                fields=["event", "contact"], condition=Q(contact__isnull=False), name="invitation_one_per_contact"
            ),
            models.UniqueConstraint(
                fields=["event", "person"], condition=Q(person__isnull=False), name="invitation_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(kind="community") & ~Q(email=""),
                name="invitation_one_per_community_email",
            ),
        ]

    def __str__(self):
        return f"Invitation to {self.event.title}"

    @property
    def places(self) -> int:
        """Places this reply takes: the invitee and their guests, if coming."""
        return 1 + self.guests if self.answer == self.Answer.YES else 0
