"""Demo certificate templates (school week and university placement) and the certificates of the finished week.

Idempotent: templates are found by force and kind, images are added only when missing, and the
bulk issue only issues certificates that do not exist yet.
"""

from django.core.files.base import ContentFile
from django.utils import timezone

from placements.demo import Link
from placements.models import Programme

from . import selectors, services
from .artwork import crest_png, signature_png
from .models import Certificate, CertificateTemplate, IssueJob

TEMPLATES = [
    (
        Programme.Kind.SCHOOL_WEEK,
        "School work-experience week",
        "Certificate of Work Experience",
        "for taking part in {programme_title} with {force_name} from {start_date} to {end_date}, "
        "completing {hours_attended} hours of scenarios and demonstrations alongside officers and staff.",
    ),
    (
        Programme.Kind.UNIVERSITY,
        "University placement",
        "Certificate of Placement",
        "for completing a placement with {force_name} on {programme_title}, {start_date} to {end_date}, "
        "totalling {hours_attended} hours.",
    ),
]


def seed(*, force, story):
    """Certificate designs, and the certificates of the finished week; returns the public verification
    page of one of them to try."""
    for kind, name, title, wording in TEMPLATES:
        template, _ = CertificateTemplate.objects.get_or_create(
            force=force,
            programme_kind=kind,
            defaults={
                "name": name,
                "title": title,
                "wording": wording,
                "signatory_name": "Helen Marsh",
                "signatory_rank": "Chief Superintendent",
            },
        )
        if not template.logo:
            template.logo.save(f"{force.slug}-crest.png", ContentFile(crest_png()), save=False)
        if not template.signature:
            template.signature.save(f"{force.slug}-signature.png", ContentFile(signature_png()), save=False)
        template.save()

    # The story's finished week (a later run leaves the running week's certificates to the product).
    ended = Programme.objects.filter(force=force, title=story.completed.title, end_date__lt=timezone.localdate())
    for programme in ended.select_related("force"):
        rows = selectors.placements_to_issue(programme=programme)
        if not rows:
            continue
        issued = services.certificate_issue_batch(programme=programme, rows=rows)
        count = len(issued)
        IssueJob.objects.create(
            programme=programme, status=IssueJob.Status.DONE, total=count, issued=count, finished_at=timezone.now()
        )
    certificate = (
        Certificate.objects.filter(placement__programme__force=force, status=Certificate.Status.VALID)
        .select_related("placement__nomination")
        .order_by("pk")
        .first()
    )
    if certificate is None:
        return []
    name = certificate.placement.nomination.full_name
    return [Link(f"Check a certificate, as an employer would ({name})", f"/verify/{certificate.verification_code}/")]
