from django.conf import settings
from django.db import models
from django.db.models import Q

from .links import new_token_salt


class EmailedInvitation(models.Model):
    """What every emailed, single-use invitation to sign in keeps (a school contact, a force person, a partner).

    The link's token is derived from the random salt and only its hash is stored; core.invitations holds the
    pages, and each kind adds whom it invites (its own foreign key).
    """

    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    token_salt = models.CharField(
        max_length=32, default=new_token_salt, editable=False, help_text="Random; the link token is derived from it."
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class OutboundEmailQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True, failed_attempts__lt=OutboundEmail.MAX_ATTEMPTS)


class OutboundEmail(models.Model):
    """Every email the product sends, written in the same transaction as the change that caused it.

    A Celery task sends it after commit; a beat job sweeps up any whose task never ran (Redis
    down, worker killed), so each email goes out once, and there is a record of what was sent.
    """

    MAX_ATTEMPTS = 5

    kind = models.CharField(max_length=60, help_text="Which email: the template name.")
    students = models.ManyToManyField(
        "schools.Nomination",
        blank=True,
        related_name="+",
        help_text="The students this email is about: erasure and the subject access export find it by these.",
    )
    to_student = models.BooleanField(
        default=False, help_text="Sent to the student or their guardian (not to staff or a school)."
    )
    dedupe_key = models.CharField(max_length=200, unique=True, help_text="The same key is never sent twice.")
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    # Links with a token are stored as markers (core.links) and made only when the email is sent.
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # Files are made when the email is sent, like links (core.attachments): only their kind and row.
    attachments = models.JSONField(default=list, blank=True, help_text="[kind, row] of each file attached.")
    force = models.ForeignKey("placements.Force", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["sent_at"], condition=Q(sent_at__isnull=True), name="outbound_email_pending"),
            # The admin's list, newest first (created_at, then id as its tie-break), read from the index.
            models.Index(fields=["created_at", "id"], name="outbound_email_created"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.to}"


class OutboundSmsQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True, failed_attempts__lt=OutboundSms.MAX_ATTEMPTS)


class OutboundSms(models.Model):
    """Every text message the product sends, recorded like an email (OutboundEmail) and sent once by Celery.

    Only to a number its owner agreed to be texted at; links with a token are markers (core.links),
    made when the text is sent.
    """

    MAX_ATTEMPTS = 5

    kind = models.CharField(max_length=60, help_text="Which text: the template name.")
    students = models.ManyToManyField(
        "schools.Nomination",
        blank=True,
        related_name="+",
        help_text="The students this text is about: erasure and the subject access export find it by these.",
    )
    to_student = models.BooleanField(default=True, help_text="Sent to the student or their guardian.")
    dedupe_key = models.CharField(max_length=200, unique=True, help_text="The same key is never sent twice.")
    to = models.CharField(max_length=20, help_text="The mobile number, in international form.")
    body = models.TextField()
    force = models.ForeignKey("placements.Force", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True, help_text="The provider's id for the text.")
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    objects = OutboundSmsQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbound text message"
        indexes = [
            models.Index(fields=["sent_at"], condition=Q(sent_at__isnull=True), name="outbound_sms_pending"),
        ]

    def __str__(self):
        return f"{self.kind} text"
