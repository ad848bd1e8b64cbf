from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.languages import welsh_active
from core.links import new_token_salt

# What the coordinator writes in the joining instructions, in the order the form asks.
JOINING_FIELDS = (
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
    "ceremony_starts_at",
    "ceremony_ends_at",
    "ceremony_venue",
    *(f"{name}_cy" for name in ("venue_name", "other_venues", "what_to_wear", "what_to_bring", "food", "ill_or_late")),
    "photo_rules_cy",
    "ceremony_venue_cy",
)

# The texts a coordinator may also write in Welsh; a Welsh reader sees the English where one is left empty.
WELSH_FIELDS = (
    "venue_name",
    "other_venues",
    "what_to_wear",
    "what_to_bring",
    "food",
    "ill_or_late",
    "photo_rules",
    "ceremony_venue",
)


class JoiningInstructions(models.Model):
    """What a programme's students (their guardians and schools) need to know to arrive on the first day.

    Written once by the coordinator from a default wording; sent to every confirmed student's guardian
    (or the adult student) and school, with the student's own syndicate and timetable.
    """

    programme = models.OneToOneField(
        "placements.Programme", on_delete=models.CASCADE, related_name="joining_instructions"
    )
    venue_name = models.CharField("where to come", max_length=200)
    venue_address = models.TextField("address")
    venue_map_url = models.URLField("map link", max_length=500, blank=True)
    other_venues = models.TextField(
        "other places", blank=True, help_text="Anywhere else the students go during the week, and how they get there."
    )
    day_starts = models.TimeField("arrive by")
    day_ends = models.TimeField("collect at")
    what_to_wear = models.TextField("what to wear")
    what_to_bring = models.TextField("what to bring")
    food = models.TextField("food and dietary needs")
    ill_or_late = models.TextField("if the student is ill or late")
    contact_phone = models.CharField("phone number on the day", max_length=40)
    photo_rules = models.TextField("photographs")
    # The awards ceremony, when the programme has one (a university placement's, seed 000).
    ceremony_starts_at = models.DateTimeField("awards ceremony starts", null=True, blank=True)
    ceremony_ends_at = models.DateTimeField("awards ceremony ends", null=True, blank=True)
    ceremony_venue = models.CharField("awards ceremony venue", max_length=200, blank=True)
    venue_name_cy = models.CharField("where to come, in Welsh", max_length=200, blank=True)
    other_venues_cy = models.TextField("other places, in Welsh", blank=True)
    what_to_wear_cy = models.TextField("what to wear, in Welsh", blank=True)
    what_to_bring_cy = models.TextField("what to bring, in Welsh", blank=True)
    food_cy = models.TextField("food and dietary needs, in Welsh", blank=True)
    ill_or_late_cy = models.TextField("if the student is ill or late, in Welsh", blank=True)
    photo_rules_cy = models.TextField("photographs, in Welsh", blank=True)
    ceremony_venue_cy = models.CharField("awards ceremony venue, in Welsh", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When they were first sent.")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised each time a change is emailed to those already sent them: one notice per change.
    changes_told = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["programme"]
        verbose_name_plural = "joining instructions"
        constraints = [
            models.CheckConstraint(condition=Q(day_ends__gt=F("day_starts")), name="joining_day_ends_after_start"),
            models.CheckConstraint(
                condition=Q(ceremony_starts_at__isnull=True, ceremony_ends_at__isnull=True)
                | Q(ceremony_starts_at__isnull=False, ceremony_ends_at__gt=F("ceremony_starts_at")),
                name="joining_ceremony_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"Joining instructions for {self.programme}"

    @property
    def shown(self) -> dict[str, str]:
        """The coordinator's texts in the reader's language (Welsh when active and written, else English)."""
        welsh = welsh_active()
        return {name: (getattr(self, f"{name}_cy") if welsh else "") or getattr(self, name) for name in WELSH_FIELDS}

    @property
    def has_ceremony(self):
        return self.ceremony_starts_at is not None


class JoiningLink(models.Model):
    """A student's own joining-instructions page, opened from the emails without an account.

    One per student, in every email about them; only the token's SHA-256 is kept, and the token is
    made from the salt and SECRET_KEY (core.links.link_token) when an email is sent. It stops working
    after the programme's last day (read from the programme, so it follows a change of dates).
    """

    placement = models.OneToOneField("placements.Placement", on_delete=models.CASCADE, related_name="joining_link")
    token_hash = models.CharField(max_length=64, unique=True)
    token_salt = models.CharField(
        max_length=32, default=new_token_salt, editable=False, help_text="Random; the link token is derived from it."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Joining link for placement {self.placement_id}"


class CalendarEvent(models.Model):
    """What the calendar files last said about one event, so an update keeps its UID and raises SEQUENCE.

    `key` names the event stably ("session-12": the slot of session 12 and whatever replaced it; "day-3";
    "ceremony"); `fingerprint` is a hash of what a calendar shows. A file made after the event changed
    carries the next sequence number, so calendars update the event instead of adding a second one.
    """

    programme = models.ForeignKey("placements.Programme", on_delete=models.CASCADE, related_name="calendar_events")
    key = models.CharField(max_length=60)
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "key"]
        constraints = [models.UniqueConstraint(fields=["programme", "key"], name="calendar_event_one_per_key")]

    def __str__(self):
        return f"{self.key} of {self.programme} (sequence {self.sequence})"


class StaffBriefing(models.Model):
    """What a syndicate's lead, or a department's contact, was last told about a programme.

    One row per syndicate or department of the programme, made when they are first told (the
    coordinator's "tell leads and departments", then the daily job). `version` is a hash of what the
    email said; a new version (a student moved, a session added) is emailed once, and a change notice
    (a swapped session, a moved ceremony) records the version it told them.
    """

    class Audience(models.TextChoices):
        LEAD = "lead", "Syndicate lead"
        DEPARTMENT = "department", "Department"

    programme = models.ForeignKey("placements.Programme", on_delete=models.CASCADE, related_name="staff_briefings")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    syndicate = models.ForeignKey(
        "placements.Syndicate", null=True, blank=True, on_delete=models.CASCADE, related_name="briefings"
    )
    department = models.ForeignKey(
        "placements.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="briefings"
    )
    version = models.CharField(max_length=64)
    told_at = models.DateTimeField()
    told_to = models.EmailField(help_text="The lead's or department contact's address when last told.")

    class Meta:
        ordering = ["programme", "audience", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "syndicate"],
                condition=Q(syndicate__isnull=False),
                name="staff_briefing_one_per_syndicate",
            ),
            models.UniqueConstraint(
                fields=["programme", "department"],
                condition=Q(department__isnull=False),
                name="staff_briefing_one_per_department",
            ),
            models.CheckConstraint(
                condition=Q(audience="lead", syndicate__isnull=False, department__isnull=True)
                | Q(audience="department", department__isnull=False, syndicate__isnull=True),
                name="staff_briefing_lead_or_department",
            ),
        ]

    def __str__(self):
        who = self.syndicate if self.syndicate_id else self.department
        return f"{self.get_audience_display()} briefing: {who}"


class TextConsent(models.Model):
    """A family's agreement to be texted reminders about one student's week, at one mobile number.

    Given on the family's joining page (the guardian for themself and, if they wish, for the student; an
    adult student for themself); withdrawn there too. A number is texted only while its row has no
    `withdrawn_at`, and only for that student's programme.
    """

    class Who(models.TextChoices):
        GUARDIAN = "guardian", _("Parent or guardian")
        STUDENT = "student", _("Student")

    # Shown in the reader's language; the words as shown are what is stored with the agreement.
    WORDING = _(
        "Text a reminder to this mobile number the working day before the week starts. "
        "The texts can be stopped at any time on this page."
    )

    placement = models.ForeignKey("placements.Placement", on_delete=models.CASCADE, related_name="text_consents")
    who = models.CharField(max_length=20, choices=Who.choices)
    phone = models.CharField(max_length=20, help_text="Mobile number in international form.")
    wording = models.TextField(help_text="What was agreed to, exactly as shown.")
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["placement", "who", "-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "who"],
                condition=Q(withdrawn_at__isnull=True),
                name="text_consent_one_current_per_person",
            ),
        ]

    def __str__(self):
        return f"{self.get_who_display()}'s agreement to text reminders"


# --- messages to a chosen audience (communications/audiences.py, messages.py) ------------------------


class MessageTemplate(models.Model):
    """A message a force's coordinators saved to send again (the built-in ones live in code, messages.py)."""

    force = models.ForeignKey("placements.Force", on_delete=models.CASCADE, related_name="message_templates")
    name = models.CharField(max_length=100)
    subject = models.CharField(max_length=150)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["force", "name"]
        constraints = [models.UniqueConstraint(fields=["force", "name"], name="message_template_name_per_force")]

    def __str__(self):
        return self.name


class AudienceMessage(models.Model):
    """One message a coordinator sent to an audience: what it said, to whom (its recipients), and progress.

    The request that sends it writes the message and one `MessageRecipient` per person; a Celery task then
    puts them into the outbox in batches, each recipient once (see messages.py).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        SENDING = "sending", "Being sent"
        DONE = "done", "All handed to the outbox"

    force = models.ForeignKey("placements.Force", on_delete=models.CASCADE, related_name="audience_messages")
    programme = models.ForeignKey(
        "placements.Programme", null=True, blank=True, on_delete=models.SET_NULL, related_name="audience_messages"
    )
    audience = models.CharField(max_length=40, help_text="Which audience (communications.audiences).")
    audience_label = models.CharField(max_length=200, help_text="The audience in words, as it was when sent.")
    subject = models.CharField(max_length=150)
    body = models.TextField(help_text="As written, with its placeholders; each recipient's copy is in the outbox.")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    recipient_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progressed_at = models.DateTimeField(auto_now_add=True, help_text="Last time a batch moved it on.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "progressed_at"], name="audience_message_unfinished")]

    def __str__(self):
        return f"Message “{self.subject}” to {self.audience_label}"


class MessageRecipient(models.Model):
    """One person an audience message goes to; `email` is its outbox row once queued (exactly one, by
    the outbox's dedupe key `audience:<message>:<recipient>`).

    Names and addresses are kept only as long as the message is (the outbox row has the address too);
    a student's erasure blanks the rows about them (communications/privacy.py).
    """

    class Kind(models.TextChoices):
        GUARDIAN = "guardian", "Parent or guardian"
        ADULT_STUDENT = "adult_student", "Student aged 18 or over"
        SCHOOL = "school", "School or college contact"
        LEAD = "lead", "Syndicate lead"
        MENTOR = "mentor", "Mentor"

    message = models.ForeignKey(AudienceMessage, on_delete=models.CASCADE, related_name="recipients")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    person_name = models.CharField(max_length=200)
    address = models.EmailField()
    # Who, once per message: kind, address and (for a message about a student) the student.
    key = models.CharField(max_length=300)
    nomination = models.ForeignKey(
        "schools.Nomination", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The few values the placeholders need (communications.messages.PLACEHOLDERS), never free text.
    values = models.JSONField(default=dict, blank=True)
    email = models.OneToOneField(
        "core.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["message", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "key"], name="message_recipient_once"),
        ]
        indexes = [models.Index(fields=["message"], condition=Q(email__isnull=True), name="message_recipient_waiting")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.message_id})"

    @property
    def dedupe_key(self) -> str:
        return f"audience:{self.message_id}:{self.pk}"
