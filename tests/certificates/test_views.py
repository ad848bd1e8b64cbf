"""Pages and downloads: anonymous → login, outsider → 404/403, owner → 200; public verification."""

import io
import zipfile

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from pypdf import PdfReader

from certificates.models import Certificate, CertificateTemplate, StudentLink
from placements.models import Programme
from tests import factories as f

from .conftest import student


@pytest.fixture
def issued(cohort, ended_programme, coordinator, issue):
    issue(ended_programme, coordinator)
    return {key: Certificate.objects.filter(placement=p).first() for key, p in cohort.items()}


def _login_redirect(response):
    return response.status_code == 302 and reverse("accounts:login") in response["Location"]


# Verification -------------------------------------------------------------------------------------


def test_verify_valid_certificate_shows_only_what_is_printed(client, issued):
    certificate = issued["a1"]
    response = client.get(reverse("verify:result", args=[certificate.verification_code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Valid." in page and "Alice Adams" in page and "Summer school week" in page and "13 July 2026" in page
    nomination = certificate.placement.nomination
    assert "School A" not in page and nomination.guardian_email not in page
    assert response["X-Robots-Tag"] == "noindex"


def test_verify_revoked_certificate_says_so_without_the_reason(client, issued, coordinator):
    from certificates import services

    services.certificate_revoke(certificate=issued["a1"], actor=coordinator, reason="Private reason")
    response = client.get(reverse("verify:result", args=[issued["a1"].verification_code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Revoked" in page and "Valid." not in page and "Private reason" not in page


def test_verify_unknown_code_is_404(client, issued):
    response = client.get(reverse("verify:result", args=["AAAABBBBCCCCDDDD"]))
    assert response.status_code == 404
    assert "No certificate has the code" in response.content.decode()


def test_verify_form_normalises_a_typed_code(client, issued):
    code = issued["a2"].verification_code
    typed = f" {code[:4].lower()}-{code[4:8]} {code[8:]} "
    response = client.get(reverse("verify:form"), {"code": typed})
    assert response.status_code == 302 and response["Location"] == reverse("verify:result", args=[code])
    assert client.get(reverse("verify:form"), {"code": "x"}).status_code == 400
    misread = client.get(reverse("verify:form"), {"code": "abcd-0018-efgh-2345"})
    assert misread["Location"] == reverse("verify:result", args=["ABCDOOIBEFGH2345"])


def test_verification_is_rate_limited(client, issued, settings):
    settings.CERTIFICATE_VERIFY_RATE = "3/10m"
    for i in range(3):
        assert client.get(reverse("verify:result", args=[f"GUESSXXXXXXXXXX{'ABC'[i]}"])).status_code == 404
    response = client.get(reverse("verify:result", args=[issued["a1"].verification_code]))
    assert response.status_code == 429 and response["Retry-After"]
    other = client.get(reverse("verify:result", args=[issued["a1"].verification_code]), REMOTE_ADDR="192.0.2.10")
    assert other.status_code == 200  # the limit is per client address


# Downloads ----------------------------------------------------------------------------------------


def test_single_download_three_ways(client_for, issued, contact, contact_b, coordinator, coordinator_b):
    url = reverse("certificates:download", args=[issued["a1"].pk])
    assert _login_redirect(client_for(None).get(url))
    assert client_for(contact_b).get(url).status_code == 404  # another school's contact
    assert client_for(coordinator_b).get(url).status_code == 404  # another force
    for owner in (contact, coordinator):
        response = client_for(owner).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0].extract_text()
        assert "Alice Adams" in text


def test_a_pdf_lost_from_storage_gives_a_clear_404_or_message_not_a_500(client_for, issued, coordinator):
    lost = issued["a1"]
    lost.pdf.storage.delete(lost.pdf.name)
    client = client_for(coordinator)
    response = client.get(reverse("certificates:download", args=[lost.pk]))
    assert response.status_code == 404
    for name in ("certificates:programme_zip", "certificates:programme_ceremony_pdf"):
        response = client.get(reverse(name, args=[lost.placement.programme_id]), follow=True)
        assert response.status_code == 200
        assert f"missing from storage (no. {lost.serial:06d})" in response.content.decode()
    assert client.get(reverse("certificates:download", args=[issued["a2"].pk])).status_code == 200


def test_downloads_are_never_cached(client_for, issued, coordinator, ended_programme):
    """Certificates name a child: the no-store middleware covers file, ZIP and PDF responses too."""
    client = client_for(coordinator)
    for url in (
        reverse("certificates:download", args=[issued["a1"].pk]),
        reverse("certificates:programme_zip", args=[ended_programme.pk]),
        reverse("certificates:programme_ceremony_pdf", args=[ended_programme.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_lead_gets_403_for_certificates(client_for, issued, lead):
    assert client_for(lead).get(reverse("certificates:download", args=[issued["a1"].pk])).status_code == 403


def test_zip_holds_only_the_contacts_own_students(client_for, issued, contact, contact_b, coordinator, ended_programme):
    f.AllocationFactory(programme=ended_programme, institution=issued["a1"].placement.nomination.institution)
    f.AllocationFactory(programme=ended_programme, institution=issued["b1"].placement.nomination.institution)
    url = reverse("certificates:programme_zip", args=[ended_programme.pk])
    assert _login_redirect(client_for(None).get(url))

    def names(user):
        response = client_for(user).get(url)
        assert response.status_code == 200
        return sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist())

    assert [n.split("-", 2)[2] for n in names(contact)] == ["alice-adams.pdf", "ben-brown.pdf", "cara-clark.pdf"]
    assert [n.split("-", 2)[2] for n in names(contact_b)] == ["dev-dunn.pdf"]
    assert len(names(coordinator)) == 4


def test_zip_of_a_programme_the_contact_is_not_allocated_is_404(client_for, issued, contact, ended_programme):
    assert client_for(contact).get(reverse("certificates:programme_zip", args=[ended_programme.pk])).status_code == 404


def test_ceremony_pdf_one_page_each_in_syndicate_order(client_for, issued, coordinator, coordinator_b, contact, cohort):
    first, second = f.SyndicateFactory(programme=cohort["a1"].programme, name="Syndicate 1"), None
    second = f.SyndicateFactory(programme=cohort["a1"].programme, name="Syndicate 2")
    for key, syndicate in (("a1", second), ("a2", first), ("a3", second), ("b1", first)):
        cohort[key].syndicate = syndicate
        cohort[key].save()
    url = reverse("certificates:programme_ceremony_pdf", args=[cohort["a1"].programme_id])
    assert _login_redirect(client_for(None).get(url))
    assert client_for(contact).get(url).status_code == 403
    assert client_for(coordinator_b).get(url).status_code == 404
    response = client_for(coordinator).get(url, {"order": "syndicate"})
    assert response.status_code == 200
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    order = [next(name for name in ("Ben", "Dev", "Alice", "Cara") if name in text) for text in pages]
    assert order == ["Ben", "Dev", "Alice", "Cara"]
    alphabetical = client_for(coordinator).get(url, {"order": "alphabetical"})
    assert len(PdfReader(io.BytesIO(alphabetical.content)).pages) == 4


# Coordinator actions ------------------------------------------------------------------------------


def test_issue_from_the_programme_page(
    client_for, cohort, ended_programme, coordinator, coordinator_b, contact, django_capture_on_commit_callbacks
):
    url = reverse("certificates:programme_issue", args=[ended_programme.pk])
    assert _login_redirect(client_for(None).post(url))
    assert client_for(contact).post(url).status_code == 403
    assert client_for(coordinator_b).post(url).status_code == 404
    client = client_for(coordinator)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"].endswith("#certificates")
    assert Certificate.objects.count() == 4  # the task ran (eagerly) once the request committed
    page = client.get(reverse("placements:programme_detail", args=[ended_programme.pk])).content.decode()
    assert "Last issue finished" in page and "Eve Evans" in page and "Attended 3 of 5 days" in page


def test_issue_without_a_template_says_why(client_for, ended_programme, coordinator, school_a):
    student(ended_programme, school_a, days=5)
    response = client_for(coordinator).post(
        reverse("certificates:programme_issue", args=[ended_programme.pk]), follow=True
    )
    assert "has no certificate template" in response.content.decode()
    assert not Certificate.objects.exists()


def test_job_progress_json(client_for, issued, coordinator, coordinator_b, ended_programme):
    job = ended_programme.certificate_jobs.get()
    url = reverse("certificates:job_progress", args=[job.pk])
    assert _login_redirect(client_for(None).get(url))
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(coordinator).get(url).json() == {
        "status": "done",
        "issued": 4,
        "total": 4,
        "percent": 100,
        "error": "",
    }


def test_revoke_and_reissue_views(client_for, issued, coordinator, coordinator_b, contact):
    certificate = issued["a3"]
    revoke = reverse("certificates:revoke", args=[certificate.pk])
    reissue = reverse("certificates:reissue", args=[issued["a2"].pk])
    for url in (revoke, reissue):
        assert _login_redirect(client_for(None).get(url))
        assert client_for(contact).get(url).status_code == 403
        assert client_for(coordinator_b).get(url).status_code == 404
        assert client_for(coordinator).get(url).status_code == 200
    client = client_for(coordinator)
    assert client.post(revoke, {"reason": "", "then": "revoke"}).status_code == 400
    assert client.post(revoke, {"reason": "Left after one day", "then": "revoke"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    again = client.post(revoke, {"reason": "again", "then": "revoke"})
    assert again.status_code == 400 and "already revoked" in again.content.decode()  # a message, not a 500
    assert client.post(reissue, {"printed_name": "Benjamin Brown"}).status_code == 302
    assert Certificate.objects.get(replaces=issued["a2"]).printed_name == "Benjamin Brown"


# Revoking, and issuing a corrected certificate ------------------------------------------------------


def _snapshot():
    return list(Certificate.objects.order_by("pk").values("pk", "status", "printed_name", "revoked_reason", "serial"))


def test_the_revoke_page_says_what_revoking_does_and_offers_both_ways(client_for, issued, coordinator):
    page = client_for(coordinator).get(reverse("certificates:revoke", args=[issued["a2"].pk])).content.decode()
    assert "Revoke certificate 000002" in page and "stop verifying" in page
    assert 'value="reissue">Revoke and issue a corrected certificate</button>' in page
    assert 'value="revoke">Revoke only</button>' in page
    assert 'name="printed_name" value="Ben Brown"' in page  # prefilled, and editable


def test_revoke_only_then_the_student_is_still_to_issue_and_issued_again(
    client_for, issued, coordinator, ended_programme, django_capture_on_commit_callbacks
):
    alice = issued["a1"]
    client = client_for(coordinator)
    response = client.post(
        reverse("certificates:revoke", args=[alice.pk]), {"reason": "Surname misspelt", "then": "revoke"}, follow=True
    )
    page = response.content.decode()
    assert "Certificate 000001 revoked: its code no longer verifies." in page
    assert "Alice Adams is listed as still to issue" in page
    assert "Revoked — not reissued" in page
    correct = reverse("certificates:reissue", args=[alice.pk])
    assert f'href="{correct}">Issue a corrected certificate' in page
    assert Certificate.objects.filter(status="valid").count() == 3

    programme_page = client.get(reverse("placements:programme_detail", args=[ended_programme.pk])).content.decode()
    assert "Issue 1 certificate<" in programme_page and "(1 revoked, not reissued)" in programme_page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certificates:programme_issue", args=[ended_programme.pk]))
    new = Certificate.objects.get(placement=alice.placement, status="valid")
    assert new.serial == 5 and new.replaces_id == alice.pk and new.verification_code != alice.verification_code

    page = client.get(reverse("certificates:programme_certificates", args=[ended_programme.pk])).content.decode()
    assert "Revoked — not reissued" not in page and "Issue a corrected certificate" not in page
    assert "replaced by No. 000005" in page
    programme_page = client.get(reverse("placements:programme_detail", args=[ended_programme.pk])).content.decode()
    assert "Issue 0 certificates" in programme_page


def test_revoke_and_issue_a_corrected_certificate_in_one_step(client_for, issued, coordinator, ended_programme):
    ben = issued["a2"]
    client = client_for(coordinator)
    response = client.post(
        reverse("certificates:revoke", args=[ben.pk]),
        {"reason": "First name misspelt", "printed_name": "  Benjamin  Brown ", "then": "reissue"},
    )
    assert response.status_code == 302
    ben.refresh_from_db()
    new = Certificate.objects.get(replaces=ben)
    assert ben.status == "revoked" and ben.revoked_reason == "First name misspelt"
    assert new.status == "valid" and new.printed_name == "Benjamin Brown" and new.serial == 5
    actions = LogEntry.objects.filter(additional_data__action__startswith="Certificate").order_by("pk")
    assert [(e.additional_data["action"], e.object_pk) for e in actions] == [
        ("Certificate revoked", str(ben.pk)),
        ("Certificate reissued", str(new.pk)),
    ]
    assert all(e.actor == coordinator for e in actions)
    page = client.get(response["Location"]).content.decode()
    assert "Certificate 000002 revoked, and corrected certificate 000005 issued to Benjamin Brown." in page
    assert "Revoked — not reissued" not in page and "Issue 0" not in page


@pytest.mark.parametrize(
    "data, error",
    [
        ({"reason": "Misspelt", "printed_name": "  ", "then": "reissue"}, "Give the name to print"),
        ({"reason": "", "printed_name": "Ben Brown", "then": "reissue"}, "Say why the certificate is being revoked"),
        ({"reason": "Misspelt", "printed_name": "Ben Brown"}, "Choose one of the two buttons"),
        ({"reason": "Misspelt", "printed_name": "Ben Brown", "then": "both"}, "Choose one of the two buttons"),
        ({"reason": "x" * 301, "printed_name": "Ben Brown", "then": "revoke"}, "at most 300 characters"),
    ],
)
def test_a_revoke_form_with_a_mistake_says_so_and_changes_nothing(client_for, issued, coordinator, data, error):
    before = _snapshot()
    response = client_for(coordinator).post(reverse("certificates:revoke", args=[issued["a2"].pk]), data)
    assert response.status_code == 400 and error in response.content.decode()
    assert _snapshot() == before


def test_outsiders_cannot_revoke_or_correct(client_for, issued, coordinator, coordinator_b, contact, lead):
    from certificates import services

    revoked = issued["a3"]
    services.certificate_revoke(certificate=revoked, actor=coordinator, reason="Surname misspelt")
    before = _snapshot()
    revoke = reverse("certificates:revoke", args=[issued["a1"].pk])
    correct = reverse("certificates:reissue", args=[revoked.pk])
    posts = [
        (revoke, {"reason": "Hostile", "then": "revoke"}),
        (revoke, {"reason": "Hostile", "printed_name": "Someone Else", "then": "reissue"}),
        (correct, {"printed_name": "Someone Else"}),
    ]
    for user, code in ((coordinator_b, 404), (contact, 403), (lead, 403)):
        client = client_for(user)
        for url, data in posts:
            assert client.get(url).status_code == code, (user.username, url)
            assert client.post(url, data).status_code == code, (user.username, url)
    for url, data in posts:
        assert _login_redirect(client_for(None).post(url, data))
    assert _snapshot() == before
    # The school sees the revoked certificate, but no way to revoke or correct one.
    f.AllocationFactory(programme=revoked.placement.programme, institution=revoked.placement.nomination.institution)
    page = client_for(contact).get(
        reverse("certificates:programme_certificates", args=[revoked.placement.programme_id])
    )
    assert (
        "Revoked — not reissued" in page.content.decode()
        and "Issue a corrected certificate" not in page.content.decode()
    )


def test_the_corrected_certificate_page_issues_once(client_for, issued, coordinator):
    from certificates import services

    cara = issued["a3"]
    services.certificate_revoke(certificate=cara, actor=coordinator, reason="Surname misspelt")
    url = reverse("certificates:reissue", args=[cara.pk])
    client = client_for(coordinator)
    page = client.get(url).content.decode()
    assert "Issue a corrected certificate" in page and 'value="Cara Clark"' in page
    response = client.post(url, {"printed_name": "Cara Clarke"}, follow=True)
    assert "Corrected certificate 000005 issued to Cara Clarke; certificate 000003 stays revoked." in (
        response.content.decode()
    )
    assert Certificate.objects.get(replaces=cara).printed_name == "Cara Clarke"
    again = client.get(url).content.decode()
    assert "already replaced by certificate 000005" in again and 'name="printed_name"' not in again
    before = _snapshot()
    assert client.post(url, {"printed_name": "Cara C"}).status_code == 400
    assert _snapshot() == before


def test_certificate_list_with_revoked_certificates_keeps_a_constant_query_count(
    client_for, issued, ended_programme, coordinator, school_a, django_assert_max_num_queries
):
    from certificates import services

    url = reverse("certificates:programme_certificates", args=[ended_programme.pk])
    client = client_for(coordinator)
    services.certificate_revoke(certificate=issued["a1"], actor=coordinator, reason="Misspelt")
    with django_assert_max_num_queries(13) as small:
        assert client.get(url).status_code == 200
    extra = [student(ended_programme, school_a, days=5, first=f"Extra{i}") for i in range(6)]
    services.certificate_issue_batch(
        programme=ended_programme, rows=services.selectors.placements_to_issue(programme=ended_programme)
    )
    for placement in extra[:3]:
        certificate = Certificate.objects.get(placement=placement)
        services.certificate_revoke(certificate=certificate, actor=coordinator, reason="Misspelt")
    services.certificate_reissue(certificate=issued["a2"], actor=coordinator, printed_name="Benjamin Brown")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Revoked — not reissued") == 3 and page.count(">Issue a corrected certificate") == 3


def test_certificate_list_three_ways_and_constant_queries(
    client_for, issued, ended_programme, coordinator, coordinator_b, contact, django_assert_max_num_queries, school_a
):
    url = reverse("certificates:programme_certificates", args=[ended_programme.pk])
    assert _login_redirect(client_for(None).get(url))
    assert client_for(coordinator_b).get(url).status_code == 404
    client = client_for(coordinator)
    with django_assert_max_num_queries(13) as before:
        assert client.get(url).status_code == 200
    for i in range(6):
        student(ended_programme, school_a, days=5, first=f"Extra{i}")
    from certificates import services

    services.certificate_issue_batch(
        programme=ended_programme,
        rows=services.selectors.placements_to_issue(programme=ended_programme),
    )
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Student link") == 10
    f.AllocationFactory(programme=ended_programme, institution=school_a)
    page = client_for(contact).get(url).content.decode()
    assert "Alice Adams" in page and "Dev Dunn" not in page and "Revoke" not in page


# Student links ------------------------------------------------------------------------------------


def test_student_link_moves_the_token_into_the_session(client_for, issued, contact, contact_b, client):
    create = reverse("certificates:student_link_create", args=[issued["a1"].pk])
    assert _login_redirect(client_for(None).post(create))
    assert client_for(contact_b).post(create).status_code == 404
    response = client_for(contact).post(create)
    assert response.status_code == 200
    url = response.context["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits
    link = StudentLink.objects.get()
    assert token not in link.token_hash and len(link.token_hash) == 64

    client.logout()
    opened = client.get(url)
    assert opened.status_code == 302 and token not in opened["Location"]
    page = client.get(opened["Location"])
    assert page.status_code == 200 and "Alice Adams" in page.content.decode()
    download = client.get(reverse("certificates:student_download"))
    assert download.status_code == 200

    client_for(contact).post(create)  # a new link replaces the old one
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get(reverse("certificates:student_certificate")).status_code == 404


# Templates ----------------------------------------------------------------------------------------


def test_template_pages_three_ways(client_for, template_a, coordinator, coordinator_b, contact):
    for url in (
        reverse("certificates:template_list"),
        reverse("certificates:template_edit", args=[template_a.pk]),
        reverse("certificates:template_preview", args=[template_a.pk]),
    ):
        assert _login_redirect(client_for(None).get(url))
        assert client_for(contact).get(url).status_code == 403
        assert client_for(coordinator).get(url).status_code == 200
    assert client_for(coordinator_b).get(reverse("certificates:template_edit", args=[template_a.pk])).status_code == 404
    preview = client_for(coordinator).get(reverse("certificates:template_preview", args=[template_a.pk]))
    assert "Sample Student" in PdfReader(io.BytesIO(preview.content)).pages[0].extract_text()


def test_template_create_validates_placeholders_and_colours(client_for, coordinator):
    client = client_for(coordinator)
    data = {
        "name": "University placement",
        "programme_kind": Programme.Kind.UNIVERSITY,
        "title": "Certificate of Placement",
        "wording": "for {student_nmae}",
        "signatory_name": "Jane Smith",
        "primary_colour": "#1d3557",
        "accent_colour": "red",
    }
    response = client.post(reverse("certificates:template_create"), data)
    assert response.status_code == 400
    assert "Unknown placeholder: {student_nmae}" in response.content.decode()
    data.update(wording="for completing {programme_title}", accent_colour="#aa0000")
    assert client.post(reverse("certificates:template_create"), data).status_code == 302
    template = CertificateTemplate.objects.get()
    assert template.force == coordinator.force_person.force


def test_template_form_explains_every_placeholder_and_names_files_without_their_path(
    client_for, template_a, coordinator
):
    from django.core.files.base import ContentFile

    from certificates.forms import PLACEHOLDERS, CertificateTemplateForm

    help_text = CertificateTemplateForm().fields["wording"].help_text
    assert all("{" + name + "}" in help_text for name in PLACEHOLDERS)
    template_a.logo.save("northshire-crest.png", ContentFile(b"not read here"), save=True)
    html = client_for(coordinator).get(reverse("certificates:template_edit", args=[template_a.pk])).content.decode()
    assert "Uploaded now: <strong>northshire-crest" in html and "Remove it" in html
    assert template_a.logo.name not in html and "certificate-images/" not in html
