"""The five journeys of issue 8 in real Chromium: by mouse (axe-core on every page) and by keyboard alone."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from certificates.models import Certificate, CertificateTemplate
from core.models import OutboundEmail
from placements.models import Attendance, Placement
from schools import services as school_services
from schools.models import Consent, Nomination
from surveys.models import Response, Survey
from tests import factories as f
from tests.surveys.conftest import make_week, token_for

from .conftest import PASSWORD, emailed_path

pytestmark = pytest.mark.django_db(transaction=True)


def _coordinator(force, username="coord"):
    user = f.UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    f.ForcePersonFactory(force=force, user=user, is_coordinator=True, name="Casey Coordinator")
    return user


def _contact(institution, username="contact"):
    user = f.UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    f.InstitutionContactFactory(institution=institution, user=user, email=user.email)
    return user


def _open_programme(force, **extra):
    today = timezone.localdate()
    return f.ProgrammeFactory(
        force=force,
        title="Summer week",
        nomination_opens=today - timedelta(days=10),
        nomination_closes=today + timedelta(days=30),
        start_date=today + timedelta(days=60),
        end_date=today + timedelta(days=64),
        **extra,
    )


# ---------------------------------------------------------------- (a) invitation and two nominations


@pytest.fixture
def invitation():
    force = f.ForceFactory()
    coordinator = _coordinator(force)
    programme = _open_programme(force)
    school = f.InstitutionFactory(force=force, name="Oakfield Academy")
    allocation = f.AllocationFactory(programme=programme, institution=school, quota=3)
    school_services.contact_invitation_create(
        institution=school, name="Robin Teacher", email="robin@oakfield.invalid", actor=coordinator
    )
    assert [m.to for m in mail.outbox] == [["robin@oakfield.invalid"]]  # sent (eager Celery), not only recorded
    return {"allocation": allocation, "path": emailed_path("contact_invitation", "robin@oakfield.invalid")}


def test_contact_accepts_invitation_and_nominates_two_students(browser, invitation):
    start = invitation["allocation"].programme.start_date
    students = [("Jamie", "Rivers", date(start.year - 15, 3, 14)), ("Alex", "Moss", date(start.year - 16, 11, 2))]
    with browser("a-invitation") as j:
        j.go(invitation["path"])  # the emailed link: the token moves into the session
        assert "/invitation" in j.page.url and len(j.page.url.rstrip("/").split("/")[-1]) < 20
        j.type_into("#id_username", "robin.teacher")
        j.type_into("#id_password1", "a long passphrase for robin")
        j.type_into("#id_password2", "a long passphrase for robin")
        j.press("main form button[type=submit], main form input[type=submit]")
        j.page.wait_for_url("**/institution/")
        j.page_done("contact-home")
        assert "can nominate 3 more students (up to 3 in all)" in j.page.inner_text("main")
        for first, last, born in students:
            j.press("a:has-text('Nominate a student')")
            j.page.wait_for_url("**/nominate/")
            j.page_done("nomination-form")
            j.type_into("#id_first_name", first)
            j.type_into("#id_last_name", last)
            j.date_into("#id_date_of_birth", born)
            j.type_into("#id_year_group", "Year 10")
            j.type_into("#id_emergency_contact_name", f"Pat {last}")
            j.type_into("#id_emergency_contact_phone", "07700 900001")
            j.type_into("#id_guardian_name", f"Pat {last}")
            j.type_into("#id_guardian_email", f"pat.{last.lower()}@family.invalid")
            j.type_into("#id_reason", "Keen, and would gain confidence.")
            j.press("#submit-id-submit")
            j.page.wait_for_url("**/nominations/*/")
            j.page_done("nomination-detail")
            assert f"{first} {last}" in j.page.inner_text("main")
            j.press("nav a:has-text('My institution')")
            j.page.wait_for_url("**/institution/")
        assert "can nominate 1 more student (up to 3 in all)" in j.page.inner_text("main")
        j.page_done("contact-home-after")
    nominations = Nomination.objects.filter(programme=invitation["allocation"].programme)
    assert sorted(n.full_name for n in nominations) == ["Alex Moss", "Jamie Rivers"]
    assert {n.submitted_by.username for n in nominations} == {"robin.teacher"}
    assert Consent.objects.filter(nomination__in=nominations, status=Consent.Status.REQUESTED).count() == 2


# ---------------------------------------------------------------- (b) guardian consent


@pytest.fixture
def consent_request():
    force = f.ForceFactory()
    programme = _open_programme(force)
    school = f.InstitutionFactory(force=force)
    contact = _contact(school)
    allocation = f.AllocationFactory(programme=programme, institution=school, quota=3)
    data = {
        "first_name": "Jamie",
        "last_name": "Rivers",
        "date_of_birth": programme.start_date.replace(year=programme.start_date.year - 15),
        "year_group": "Year 10",
        "emergency_contact_name": "Pat Rivers",
        "emergency_contact_phone": "07700 900001",
        "guardian_name": "Pat Rivers",
        "guardian_email": "pat@family.invalid",
        "reason": "Would gain confidence",
    }
    nomination = school_services.nomination_submit(allocation=allocation, data=data, actor=contact)
    return {"nomination": nomination, "path": emailed_path("consent_request", "pat@family.invalid")}


def test_guardian_consents_through_the_emailed_link(browser, consent_request):
    with browser("b-consent", phone=True) as j:
        j.go(consent_request["path"])
        assert j.page.url.endswith("/consent/form/")
        j.choose("input[name=participation][value=yes]")
        j.tick("#id_data_processing")
        j.tick("#id_photos_media")
        j.type_into("#id_respondent_name", "Pat Rivers")
        j.press("button:has-text('Send my answers')")
        j.page.wait_for_load_state("load")
        j.page_done("consent-thanks")
        assert "thank" in j.page.inner_text("main").lower()
    consent = Consent.objects.get(nomination=consent_request["nomination"])
    assert consent.status == Consent.Status.GIVEN
    assert (consent.participation, consent.data_processing, consent.photos_media, consent.mentoring_contact) == (
        True,
        True,
        True,
        False,
    )
    assert consent.respondent_name == "Pat Rivers"


# ---------------------------------------------------------------- (c) selection and offers


@pytest.fixture
def intake():
    force = f.ForceFactory()
    _coordinator(force)
    today = timezone.localdate()
    programme = _open_programme(force, capacity=2, reserved_send_places=0, max_per_institution=2)
    programme.nomination_closes = today - timedelta(days=1)
    programme.nomination_opens = today - timedelta(days=20)
    programme.save()
    school = f.InstitutionFactory(force=force, name="Oakfield Academy")
    _contact(school)
    f.AllocationFactory(programme=programme, institution=school, quota=4)
    nominations = [
        f.NominationFactory(programme=programme, institution=school, first_name=name, last_name="Pupil")
        for name in ("Ada", "Ben", "Cal")
    ]
    for nomination in nominations:
        f.ConsentFactory(nomination=nomination)
    return {"programme": programme, "nominations": nominations}


def test_coordinator_offers_places_and_the_contact_accepts(browser, intake):
    programme = intake["programme"]
    with browser("c-selection") as j:
        j.login("coord")
        j.press(f"a:has-text('{programme.title}')")
        j.page.wait_for_url(f"**/programmes/{programme.pk}/")
        j.page_done("programme")
        j.press("a:has-text('Selection assistant')")
        j.page.wait_for_url("**/selection/")
        j.page_done("selection")
        ticked = j.page.locator("input[name=selected]:checked")
        assert ticked.count() == 2
        j.press("button:has-text('Check and confirm')")
        j.page.wait_for_url("**/selection/confirm/?*")
        j.page_done("selection-confirm")
        assert "Nothing has been sent yet" in j.page.inner_text("main")
        assert "Oakfield Academy" in j.page.inner_text("#h-emails + div")
        j.press("button:has-text('Send 2 offers')")
        j.page.wait_for_url("**/nominations/?status=offered")
        j.page_done("offers-sent")
        assert "2 offers sent" in j.page.inner_text("main")
        j.logout()
        j.login("contact")
        offered = "main tr:has-text('answer by') a"
        assert j.page.locator(offered).count() == 2
        name = j.page.locator(offered).first.inner_text()
        j.press(offered)
        j.page.wait_for_url("**/nominations/*/")
        j.page_done("offer")
        j.press("button:has-text('Accept the place')")
        j.page.wait_for_url("**/nominations/*/")
        j.page_done("accepted")
    accepted = Nomination.objects.get(status=Nomination.Status.ACCEPTED)
    assert accepted.full_name in name
    assert Placement.objects.filter(nomination=accepted).exists()
    assert Nomination.objects.filter(status=Nomination.Status.OFFERED).count() == 1
    offers = OutboundEmail.objects.filter(kind="offer")
    assert offers.count() == 2 and all(email.sent_at for email in offers)
    assert sum(1 for m in mail.outbox if m.to == [offers[0].to]) >= 2


# ---------------------------------------------------------------- (d) post survey, easy read


@pytest.fixture
def survey_link():
    programme = f.ProgrammeFactory()
    surveys, placements = make_week(programme, students=1)
    post = surveys[Survey.Phase.POST]
    return {"survey": post, "path": f"/s/{token_for(post, placements[0])}/"}


def test_student_answers_the_post_survey_in_easy_read(browser, survey_link):
    with browser("d-survey", phone=True) as j:
        j.go(survey_link["path"])  # the QR code's link
        assert j.page.url.endswith("/s/")
        j.choose("#easy-1")
        j.choose("#layout-one")
        j.press("button[type=submit]:has-text('Start')")
        for step in range(1, 60):
            if j.page.url.endswith("/s/check/"):
                break
            j.page_done(f"question-{step}")
            assert f"/s/q/{step}/" in j.page.url
            assert j.page.locator(".survey.easy-read").count() == 1
            assert j.page.locator("svg.face").count() == (5 if j.page.locator(".likert").count() else 0)
            if j.page.locator("textarea").count():
                j.type_into("textarea", "The dog unit was the best part.")
            else:
                options = j.page.locator("input[type=radio]")
                j.choose(f"#{options.nth(options.count() // 2).get_attribute('id')}")
            j.press("button[name=next]")
        j.page_done("check")
        j.press("button:has-text('Send my answers')")
        j.page.wait_for_url("**/s/done/")
        j.page_done("done")
    response = Response.objects.get(invitation__survey=survey_link["survey"])
    assert response.source == Response.Source.ONLINE
    assert response.answers.count() == survey_link["survey"].questions.count()


# ---------------------------------------------------------------- (e) certificates and the ceremony PDF


@pytest.fixture
def ended_week():
    force = f.ForceFactory()
    _coordinator(force)
    programme = f.ProgrammeFactory(
        force=force,
        title="Spring week",
        start_date=date(2026, 7, 13),
        end_date=date(2026, 7, 17),
        nomination_opens=date(2026, 1, 5),
        nomination_closes=date(2026, 4, 30),
    )
    CertificateTemplate.objects.create(
        force=force,
        programme_kind=programme.kind,
        name="School week",
        wording="for completing {programme_title} with {force_name} ({hours_attended} hours).",
        signatory_name="Jane Smith",
        signatory_rank="Superintendent",
    )
    school = f.InstitutionFactory(force=force)
    for first, days in (("Alice", 5), ("Ben", 5), ("Cara", 4), ("Eve", 2)):
        nomination = f.NominationFactory(programme=programme, institution=school, first_name=first, last_name="Pupil")
        placement = f.PlacementFactory(programme=programme, nomination=nomination, status=Placement.Status.CONFIRMED)
        for offset in range(days):
            day = programme.start_date + timedelta(days=offset)
            f.AttendanceFactory(placement=placement, date=day, status=Attendance.Status.PRESENT)
    return programme


def test_coordinator_issues_certificates_and_downloads_the_ceremony_pdf(browser, ended_week, tmp_path):
    from pypdf import PdfReader

    programme = ended_week
    with browser("e-certificates") as j:
        j.login("coord")
        j.press(f"a:has-text('{programme.title}')")
        j.page.wait_for_url(f"**/programmes/{programme.pk}/")
        j.page_done("programme")
        j.press("button:has-text('Issue 3 certificates')")
        j.page.wait_for_url(f"**/programmes/{programme.pk}/**")
        j.page_done("issued")
        assert "Issue 0 certificates" in j.page.inner_text("main")
        with j.page.expect_download() as download:
            j.press("a:has-text('Ceremony PDF (A–Z)')", navigates=False)
        path = tmp_path / "ceremony.pdf"
        download.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert [name in text for name in ("Alice", "Ben", "Cara", "Eve")] == [True, True, True, False]
    assert Certificate.objects.filter(placement__programme=programme).count() == 3


def test_coordinator_revokes_a_certificate_then_issues_a_corrected_one(browser, ended_week):
    from certificates import selectors, services

    programme = ended_week
    services.certificate_issue_batch(programme=programme, rows=selectors.placements_to_issue(programme=programme))
    with browser("e-certificate-correction") as j:
        j.login("coord")
        j.go(f"/certificates/programmes/{programme.pk}/")
        j.press("a:has-text('Revoke certificate 000002')")
        j.page_done("revoke")
        assert "stop verifying" in j.page.inner_text("main")
        assert j.page.locator("#id_printed_name").input_value() == "Ben Pupil"
        j.type_into("#id_reason", "First name should be Benjamin")
        j.press("button:has-text('Revoke only')")
        j.page_done("revoked-only")
        main = j.page.inner_text("main")
        assert "Revoked — not reissued" in main and "listed as still to issue" in main
        j.press("a:has-text('Issue a corrected certificate')")
        j.page_done("correct")
        j.type_into("#id_printed_name", "Benjamin Pupil")
        j.press("main form button[type=submit]")
        j.page_done("corrected")
        main = j.page.inner_text("main")
        assert "Corrected certificate 000004 issued to Benjamin Pupil" in main and "replaced by No. 000004" in main
        assert "Revoked — not reissued" not in main
    certificates = Certificate.objects.filter(placement__programme=programme)
    assert certificates.filter(status="valid").count() == 3
    assert certificates.get(serial=4).printed_name == "Benjamin Pupil"
    assert certificates.get(serial=2).revoked_reason == "First name should be Benjamin"
