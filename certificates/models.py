from django.conf import settings
from django.db import models
from django.db.models import Q


class CertificateTemplate(models.Model):
    """How a force's certificate for one kind of programme looks and reads."""

    force = models.ForeignKey("placements.Force", on_delete=models.CASCADE, related_name="certificate_templates")
    programme_kind = models.CharField(
        max_length=20,
        choices=[
            ("school_week", "School work-experience week"),
            ("university", "University placement"),
        ],
    )
    name = models.CharField(max_length=120)
    title = models.CharField(max_length=200, default="Certificate of Work Experience")
    wording = models.TextField(
        help_text="Placeholders: {student_name}, {programme_title}, {start_date}, {end_date}, "
        "{hours_attended}, {force_name}."
    )
    # Welsh forces issue bilingual certificates: Welsh first, English beside it (Welsh Language Standards).
    title_cy = models.CharField("title in Welsh", max_length=200, blank=True)
    wording_cy = models.TextField(
        "wording in Welsh",
        blank=True,
        help_text="With Welsh wording the certificate is printed in Welsh and English; leave empty for English only.",
    )
    signatory_name = models.CharField(max_length=120)
    signatory_rank = models.CharField(max_length=120, blank=True)
    logo = models.ImageField(upload_to="certificate-images/", blank=True)
    signature = models.ImageField(upload_to="certificate-images/", blank=True)
    primary_colour = models.CharField(max_length=7, default="#1d3557")
    accent_colour = models.CharField(max_length=7, default="#457b9d")

    class Meta:
        ordering = ["force", "programme_kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "programme_kind"], name="certificate_template_one_per_kind"),
            models.CheckConstraint(
                condition=Q(primary_colour__regex=r"^#[0-9a-fA-F]{6}$") & Q(accent_colour__regex=r"^#[0-9a-fA-F]{6}$"),
                name="certificate_template_colours_hex",
            ),
        ]

    def __str__(self):
        return self.name


class Certificate(models.Model):
    """A certificate issued to one placement; revoked ones are kept as history."""

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"

    force = models.ForeignKey("placements.Force", on_delete=models.PROTECT, related_name="certificates")
    placement = models.ForeignKey("placements.Placement", on_delete=models.PROTECT, related_name="certificates")
    template = models.ForeignKey(CertificateTemplate, null=True, on_delete=models.SET_NULL, related_name="+")
    serial = models.PositiveIntegerField(help_text="Sequential per force.")
    verification_code = models.CharField(max_length=32, unique=True)
    printed_name = models.CharField(max_length=200)
    hours_attended = models.DecimalField(max_digits=6, decimal_places=1, default=0)
    pdf = models.FileField(upload_to="certificates/", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID, db_index=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )

    class Meta:
        ordering = ["force", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["force", "serial"], name="certificate_unique_serial_per_force"),
            models.UniqueConstraint(
                fields=["placement"], condition=Q(status="valid"), name="certificate_one_valid_per_placement"
            ),
            models.CheckConstraint(
                condition=Q(status="valid") | Q(revoked_at__isnull=False), name="certificate_revoked_has_time"
            ),
        ]

    def __str__(self):
        return f"Certificate {self.serial} ({self.printed_name})"


class SerialCounter(models.Model):
    """The last certificate serial used by a force; its row is locked while serials are handed out."""

    force = models.OneToOneField("placements.Force", on_delete=models.CASCADE, related_name="certificate_serial")
    last_serial = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.force}: {self.last_serial}"


class IssueJobQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=[IssueJob.Status.QUEUED, IssueJob.Status.RUNNING])


class IssueJob(models.Model):
    """One bulk issue of a programme's certificates; its counts are the progress bar on the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    programme = models.ForeignKey("placements.Programme", on_delete=models.CASCADE, related_name="certificate_jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    total = models.PositiveIntegerField(default=0, help_text="Certificates to issue when the job started.")
    issued = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    objects = IssueJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(issued__lte=models.F("total")), name="issue_job_issued_le_total")
        ]

    def __str__(self):
        return f"Issue job {self.pk} for {self.programme_id} ({self.status})"

    @property
    def percent(self):
        return 100 if not self.total else round(100 * self.issued / self.total)


class StudentLink(models.Model):
    """A student's own link to their certificate. Only the token's SHA-256 is stored."""

    placement = models.ForeignKey("placements.Placement", on_delete=models.CASCADE, related_name="certificate_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Certificate link for placement {self.placement_id}"
