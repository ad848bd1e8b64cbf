"""Documents with a state: type checked by content, size limited, kept outside the web root, and read
only by those in scope (404 to everyone else, other forces and partners without a role included)."""

import io
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partners.models import Document
from partners.services import PartnerError, document_approve, document_upload
from tests import factories as f
from tests.partners.factories import DocumentFactory, OrganisationFactory, ProgrammePartnerFactory, pdf_bytes


def _docx_bytes():
    document = docx.Document()
    document.add_paragraph("Venue agreement")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _post(client, **overrides):
    data = {
        "kind": "insurance",
        "title": "Public liability insurance",
        "expires_on": "2030-01-31",
        "file": SimpleUploadedFile("insurance.pdf", pdf_bytes(), content_type="application/pdf"),
        **overrides,
    }
    return client.post(reverse("partners:document_upload"), data)


def test_a_pdf_is_kept_outside_the_web_root_waiting_for_approval(client_for, coordinator, force_a):
    response = _post(client_for(coordinator))
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.force == force_a and document.approved_at is None
    assert document.content_type == "application/pdf"
    stored = Path(document.file.path).resolve()
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018  (no public address at all)


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("notes.pdf", b"This is plain text pretending to be a PDF", 415),
        ("script.pdf", b"<html><script>alert(1)</script></html>", 415),
        ("empty.pdf", b"", 400),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 100, 415),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(
    client_for, coordinator, force_a, name, content, status
):
    response = _post(client_for(coordinator), file=SimpleUploadedFile(name, content))
    assert response.status_code == status
    assert Document.objects.count() == 0
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not private.exists() or not any(p.is_file() for p in private.rglob("*"))


def test_a_word_document_and_a_photo_are_accepted(client_for, coordinator, force_a):
    client = client_for(coordinator)
    assert _post(client, title="Venue agreement", file=SimpleUploadedFile("a.docx", _docx_bytes())).status_code == 302
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
    assert _post(client, title="Photo of the certificate", file=SimpleUploadedFile("c.png", png)).status_code == 302
    assert sorted(Document.objects.values_list("content_type", flat=True)) == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
    ]


def test_a_file_over_the_limit_is_refused(client_for, coordinator, force_a, settings):
    settings.PARTNER_DOCUMENT_MAX_BYTES = 1000
    content = pdf_bytes() + b"%" + b"x" * 2000
    response = _post(client_for(coordinator), file=SimpleUploadedFile("big.pdf", content))
    assert response.status_code == 413
    assert "the largest allowed" in response.content.decode()
    assert Document.objects.count() == 0


def test_a_risk_assessment_needs_its_activity(client_for, coordinator, force_a):
    response = _post(client_for(coordinator), kind="risk_assessment")
    assert response.status_code == 400
    assert "Choose the activity this risk assessment covers" in response.content.decode()
    assert Document.objects.count() == 0


def test_another_forces_activity_cannot_be_chosen(client_for, coordinator, force_a, force_b):
    other = f.ActivityFactory(force=force_b)
    response = _post(client_for(coordinator), kind="risk_assessment", activity=str(other.pk))
    assert response.status_code == 400
    assert Document.objects.count() == 0


def test_approval_records_who_and_when_and_an_expired_one_cannot_be_approved(coordinator, force_a):
    document = DocumentFactory(force=force_a)
    approved = document_approve(document=document, actor=coordinator)
    assert approved.approved_by == coordinator and approved.approved_at is not None
    with pytest.raises(PartnerError):
        document_approve(document=approved, actor=coordinator)
    old = DocumentFactory(force=force_a, expires_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(PartnerError) as refused:
        document_approve(document=old, actor=coordinator)
    assert refused.value.status == 409
    old.refresh_from_db()
    assert old.approved_at is None


def test_upload_service_checks_the_content_not_the_name(coordinator, force_a):
    upload = SimpleUploadedFile("report.pdf", b"GIF89a" + b"\x00" * 50, content_type="application/pdf")
    with pytest.raises(PartnerError) as refused:
        document_upload(
            force=force_a,
            details={"kind": "insurance", "title": "Report", "expires_on": date(2030, 1, 1)},
            upload=upload,
            actor=coordinator,
        )
    assert refused.value.status == 415


# --- who may read a document ---------------------------------------------------------------------


@pytest.fixture
def documents(force_a, programme_a, council):
    return {
        "force": DocumentFactory(force=force_a, title="Force insurance"),
        "council": DocumentFactory(force=force_a, title="Council's agreement", organisation=council),
        "programme": DocumentFactory(force=force_a, title="Venue agreement", programme=programme_a),
        "other_programme": DocumentFactory(
            force=force_a, title="Other week's agreement", programme=f.ProgrammeFactory(force=force_a)
        ),
    }


def _reads(client, document):
    response = client.get(reverse("partners:document_download", args=[document.pk]))
    if response.status_code == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    return response.status_code


def test_documents_are_not_readable_outside_scope(
    client_for, documents, coordinator, coordinator_b, partner, partner_without_role, contact, lead, mentor
):
    for document in documents.values():
        assert _reads(client_for(coordinator), document) == 200
        # Another force's coordinator, a partner whose organisation has no role, and every other role: 404.
        for outsider in (coordinator_b, partner_without_role, contact, lead, mentor):
            assert _reads(client_for(outsider), document) == 404, (outsider, document)
        response = client_for(None).get(reverse("partners:document_download", args=[document.pk]))
        assert response.status_code == 302 and "/login/" in response["Location"]
    # The partner reads their own organisation's, and those of the programme their organisation works on.
    assert _reads(client_for(partner), documents["council"]) == 200
    assert _reads(client_for(partner), documents["programme"]) == 200
    assert _reads(client_for(partner), documents["force"]) == 404
    assert _reads(client_for(partner), documents["other_programme"]) == 404


def test_a_partner_losing_the_role_loses_the_documents(client_for, documents, partner, programme_a):
    assert _reads(client_for(partner), documents["programme"]) == 200
    programme_a.partner_roles.all().delete()
    assert _reads(client_for(partner), documents["programme"]) == 404


def test_a_partner_of_another_forces_organisation_with_a_role_there_reads_nothing_here(
    client_for, documents, force_b, programme_b
):
    person = OrganisationFactory(force=force_b).people.create(name="B Partner", email="b@partner.invalid")
    person.user = f.UserFactory(username="partner-b", email=person.email)
    person.save()
    ProgrammePartnerFactory(programme=programme_b, organisation=person.organisation)
    for document in documents.values():
        assert _reads(client_for(person.user), document) == 404


def test_the_document_pages_are_the_coordinators_own(client_for, documents, coordinator_b, partner):
    document = documents["programme"]
    for name in ("document_detail",):
        url = reverse(f"partners:{name}", args=[document.pk])
        assert client_for(coordinator_b).get(url).status_code == 404
        assert client_for(partner).get(url).status_code == 403
    response = client_for(coordinator_b).post(reverse("partners:document_approve", args=[document.pk]))
    assert response.status_code == 404
    document.refresh_from_db()
    assert document.approved_at is None


def test_the_documents_list_costs_the_same_queries_however_many(
    client_for, coordinator, force_a, django_assert_num_queries
):
    client = client_for(coordinator)
    DocumentFactory(force=force_a)
    client.get(reverse("partners:documents"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("partners:documents")).status_code == 200
    for _ in range(6):
        DocumentFactory(
            force=force_a, activity=f.ActivityFactory(force=force_a), programme=f.ProgrammeFactory(force=force_a)
        )
    with django_assert_num_queries(len(few)):
        assert client.get(reverse("partners:documents")).status_code == 200
