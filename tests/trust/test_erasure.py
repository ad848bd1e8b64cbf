"""Erasing one student on request, and the subject access export: pages, guarantees and access."""

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import new_verification_code
from core.models import OutboundEmail
from core.services import email_queue
from mentoring.models import MentorAssignment
from privacy.models import Erasure
from schools.models import ConsentLink, Nomination
from schools.services import CONSENT_LINK_DAYS
from surveys.models import Answer, Invitation, Question
from surveys.selectors import invitation_by_short_code
from surveys.services import invitation_short_code
from tests import factories as f
from tests.certificates.factories import StudentLinkFactory
from tests.communications.factories import AudienceMessageFactory, MessageRecipientFactory, TextConsentFactory
from tests.events.factories import InvitationFactory as EventInvitationFactory
from tests.schools.conftest import allocation_a, open_programme, today  # noqa: F401 - fixtures
from tests.schools.factories import ConsentLinkFactory
from tests.trust.test_retention import _identities, _leaks, _product_vocabulary

PDF = b"%PDF-1.4 certificate of Ottoline Quade"


@pytest.fixture
def student(force_a, settings, tmp_path):
    """One student with something in every place personal data can be held."""
    settings.MEDIA_ROOT = tmp_path
    programme = f.ProgrammeFactory(force=force_a)
    contact = f.InstitutionContactFactory(institution__force=force_a, email="teacher@school.invalid")
    nomination = f.NominationFactory(
        programme=programme,
        institution=contact.institution,
        first_name="Ottoline",
        last_name="Quade",
        date_of_birth=date(2011, 3, 4),
        pronouns="she/her",
        student_email="",
        guardian_name="Marguerite Quade",
        guardian_email="m.quade@family.invalid",
        emergency_contact_name="Marguerite Quade",
        medical_notes="Asthma: inhaler in bag",
        support_needs="Quiet space",
        reason="Ottoline wants to be a detective",
        status=Nomination.Status.ACCEPTED,
    )
    consent = f.ConsentFactory(
        nomination=nomination,
        respondent_name="Marguerite Quade",
        wording="[participation] Ottoline Quade may take part",
    )
    link = ConsentLinkFactory(consent=consent, sent_to="m.quade@family.invalid")
    placement = f.PlacementFactory(programme=programme, nomination=nomination)
    f.AttendanceFactory(placement=placement)
    survey = f.SurveyFactory(programme=programme)
    likert = f.QuestionFactory(survey=survey, code="approachable")
    text = f.QuestionFactory(survey=survey, code="comments", kind=Question.Kind.TEXT, text="Anything else?")
    invitation = f.InvitationFactory(survey=survey, placement=placement, draft={"comments": "Ottoline here"})
    response = f.ResponseFactory(invitation=invitation)
    f.AnswerFactory(response=response, question=likert, value_int=4)
    f.AnswerFactory(response=response, question=text, value_int=None, value_text="I am Ottoline Quade, born 04/03/2011")
    certificate = f.CertificateFactory(
        placement=placement, printed_name="Ottoline Quade", verification_code=new_verification_code()
    )
    certificate.pdf.save("certificate-1.pdf", ContentFile(PDF))
    StudentLinkFactory(placement=placement)
    EventInvitationFactory(event__force=force_a, kind="student", placement=placement, name="", email="")
    assignment = f.MentorAssignmentFactory(placement=placement)
    f.MentorContactFactory(assignment=assignment, summary="Talked with Ottoline about cadets", sensitive_notes="x")
    f.OutcomeFactory(placement=placement, note="Ottoline joined cadets")
    MessageRecipientFactory(
        message=AudienceMessageFactory(force=force_a, programme=programme),
        nomination=nomination,
        person_name="Marguerite Quade",
        address="m.quade@family.invalid",
        values={"recipient_name": "Marguerite Quade", "student_first_name": "Ottoline"},
    )
    TextConsentFactory(placement=placement, phone="+447700900123")
    email_queue(
        kind="place_confirmed",
        to="teacher@school.invalid",
        context={"nomination": nomination, "programme": programme},
        dedupe_key="test-confirmed",
        force=force_a,
        about=[nomination],
    )
    email_queue(
        kind="consent_request",
        to="m.quade@family.invalid",
        # As the consent service sends it: the email says how many days the link works.
        context={"nomination": nomination, "programme": programme, "adult": False, "days": CONSENT_LINK_DAYS},
        dedupe_key="test-consent",
        force=force_a,
        about=[nomination],
        to_student=True,
    )
    # An older trail entry written before names were kept out of it.
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Nomination),
        object_pk=str(nomination.pk),
        object_id=nomination.pk,
        object_repr="Ottoline Quade",
        action=LogEntry.Action.UPDATE,
        changes={"guardian_email": ["", "m.quade@family.invalid"]},
    )
    return {"nomination": nomination, "contact": contact, "link": link, "certificate": certificate}


def _erase(client, nomination, **data):
    return client.post(reverse("privacy:student_erase", args=[nomination.pk]), {"note": "SAR 2026-14", **data})


def test_erase_on_request_leaves_no_trace_and_keeps_the_numbers(student, coordinator, client_for):
    nomination = student["nomination"]
    identities = _identities([nomination])
    identities[nomination.pk]["names"] |= {"Marguerite Quade", "m.quade@family.invalid"}
    assert len(_leaks(identities)) > 10
    pdf_path = student["certificate"].pdf.path
    emails_before = OutboundEmail.objects.count()
    survey_code = invitation_short_code(Invitation.objects.get())
    assert invitation_by_short_code(survey_code) is not None

    response = _erase(client_for(coordinator), nomination, confirm="on")

    assert response.status_code == 302
    assert response["Location"] == reverse("schools:nomination_detail", args=[nomination.pk])
    assert _leaks(identities, keep_names=_product_vocabulary()) == []
    erasure = Erasure.objects.get(nomination=nomination)
    assert (erasure.reason, erasure.erased_by, erasure.note) == ("request", coordinator, "SAR 2026-14")
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.ACCEPTED and nomination.placement.status == "confirmed"
    assert nomination.medical_notes == nomination.guardian_email == nomination.pronouns == ""
    # Scores stay, free text goes; drafts and links are gone.
    assert list(Answer.objects.filter(question__code="approachable").values_list("value_int", flat=True)) == [4]
    assert Answer.objects.get(question__code="comments").value_text == ""
    assert Invitation.objects.get().draft == {}
    assert invitation_by_short_code(survey_code) is None
    assert not ConsentLink.objects.filter(token_hash=student["link"].token_hash).exists()
    # The certificate stays as a revoked record with no name and no PDF.
    certificate = Certificate.objects.get()
    assert certificate.status == Certificate.Status.REVOKED and not certificate.pdf
    assert not Path(pdf_path).exists()
    page = client_for(None).get(reverse("verify:result", args=[certificate.verification_code]), follow=True)
    assert page.status_code == 200 and b"Ottoline" not in page.content and b"Quade" not in page.content
    assert MentorAssignment.objects.get().status == MentorAssignment.Status.ENDED
    # Erasure sends nothing (a "mentoring ended" email would name the student).
    assert OutboundEmail.objects.count() == emails_before
    assert OutboundEmail.objects.get(dedupe_key="test-consent").to == f"erased-{nomination.pk}@erased.invalid"


def test_erase_needs_confirmation_and_get_changes_nothing(student, coordinator, client_for):
    nomination = student["nomination"]
    client = client_for(coordinator)
    page = client.get(reverse("privacy:student_erase", args=[nomination.pk]))
    assert page.status_code == 200 and b"cannot be undone" in page.content
    response = _erase(client, nomination)
    assert response.status_code == 400
    assert not Erasure.objects.exists()
    nomination.refresh_from_db()
    assert nomination.first_name == "Ottoline"


def test_erasing_again_through_the_page_is_a_no_op(student, coordinator, client_for):
    nomination = student["nomination"]
    client = client_for(coordinator)
    assert _erase(client, nomination, confirm="on").status_code == 302
    erased_at = Erasure.objects.get().erased_at
    again = _erase(client, nomination, confirm="on")
    assert again.status_code == 200 and b"There is nothing more to erase" in again.content
    assert Erasure.objects.get().erased_at == erased_at


def test_export_holds_everything_about_the_student(student, coordinator, client_for):
    nomination = student["nomination"]
    response = client_for(coordinator).get(reverse("privacy:student_export", args=[nomination.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "Quade" not in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    for part in ("nomination", "consent", "consent_links", "placement", "attendance", "survey_answers"):
        assert f"{part}.json" in names
    for part in ("certificates", "mentor_assignments", "mentor_contacts", "outcomes", "emails"):
        assert f"{part}.json" in names
    assert archive.read(f"certificates/certificate-{student['certificate'].serial}.pdf") == PDF
    record = json.loads(archive.read("nomination.json"))[0]["fields"]
    assert (record["first_name"], record["date_of_birth"], record["medical_notes"]) == (
        "Ottoline",
        "2011-03-04",
        "Asthma: inhaler in bag",
    )
    answers = {a["fields"]["question_code"]: a["fields"] for a in json.loads(archive.read("survey_answers.json"))}
    assert answers["comments"]["value_text"].startswith("I am Ottoline")
    assert {e["fields"]["to"] for e in json.loads(archive.read("emails.json"))} == {
        "teacher@school.invalid",
        "m.quade@family.invalid",
    }
    everything = b"".join(archive.read(name) for name in names)
    assert student["link"].token_hash.encode() not in everything
    assert b"token_hash" not in everything
    # Reading the medical notes through the export is on the audit trail.
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(nomination.pk)).exists()


def test_export_after_erasure_holds_no_name(student, coordinator, client_for):
    nomination = student["nomination"]
    client = client_for(coordinator)
    _erase(client, nomination, confirm="on")
    content = client.get(reverse("privacy:student_export", args=[nomination.pk])).content
    archive = zipfile.ZipFile(io.BytesIO(content))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Ottoline" not in everything and b"2011-03-04" not in everything
    assert json.loads(archive.read("erasure.json"))[0]["fields"]["reason"] == "request"


@pytest.mark.parametrize("name", ["privacy:student_erase", "privacy:student_export"])
def test_views_three_ways(name, student, coordinator, coordinator_b, lead, client_for):
    url = reverse(name, args=[student["nomination"].pk])
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(lead).get(url).status_code == 403
    contact_user = f.UserFactory()
    student["contact"].user = contact_user
    student["contact"].save()
    assert client_for(contact_user).get(url).status_code == 403
    assert client_for(coordinator).get(url).status_code == 200
    assert client_for(coordinator_b).post(url, {"note": "x", "confirm": "on"}).status_code == 404
    assert not Erasure.objects.exists()


def test_nomination_page_links_to_export_and_erase_for_coordinators_only(student, coordinator, client_for):
    nomination = student["nomination"]
    url = reverse("schools:nomination_detail", args=[nomination.pk])
    erase = reverse("privacy:student_erase", args=[nomination.pk]).encode()
    assert erase in client_for(coordinator).get(url).content
    contact_user = f.UserFactory()
    student["contact"].user = contact_user
    student["contact"].save()
    page = client_for(contact_user).get(url)
    assert page.status_code == 200 and erase not in page.content


def test_placeholder_names_keep_the_unique_constraint(force_a, coordinator):
    """Two students of one school and programme erased: the placeholders differ, so both erasures commit."""
    from privacy.services import student_erase

    programme = f.ProgrammeFactory(force=force_a)
    institution = f.InstitutionFactory(force=force_a)
    first = f.NominationFactory(programme=programme, institution=institution)
    second = f.NominationFactory(programme=programme, institution=institution)
    for nomination in (first, second):
        student_erase(nomination=nomination, actor=coordinator, reason=Erasure.Reason.RETENTION)
    assert Erasure.objects.count() == 2
    assert {n.last_name for n in Nomination.objects.all()} == {f"#{first.pk}", f"#{second.pk}"}


def test_audit_trail_masks_consent_wording_and_revoke_reasons(force_a, coordinator):
    """Regression: the consent wording and a reissue's revoke reason hold the child's name; the trail hid neither."""
    from certificates.services import certificate_revoke

    nomination = f.NominationFactory(programme__force=force_a, first_name="Ottoline", last_name="Quade")
    f.ConsentFactory(nomination=nomination, wording="[participation] Ottoline Quade may take part")
    certificate = f.CertificateFactory(placement__nomination=nomination, placement__programme=nomination.programme)
    certificate_revoke(certificate=certificate, actor=coordinator, reason="Reissued as Ottoline Quade-Smith")
    trail = [json.dumps(entry.changes) for entry in LogEntry.objects.all()]
    assert len(trail) >= 3
    assert not [changes for changes in trail if "Ottoline" in changes]


def test_retention_policy_page_three_ways_and_saves(force_a, coordinator, coordinator_b, lead, client_for):
    from privacy.models import RetentionPolicy

    url = reverse("privacy:retention_policy", args=[force_a.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(lead).get(url).status_code == 403
    client = client_for(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and b'value="3"' in page.content  # the default before a policy is saved
    bad = client.post(url, {"not_placed_months": "0", "placed_months": "-4", "survey_text_months": "x"})
    assert bad.status_code == 400 and not RetentionPolicy.objects.exists()
    other = client_for(coordinator_b).post(url, {"not_placed_months": 1, "placed_months": 1, "survey_text_months": 1})
    assert other.status_code == 404
    assert not RetentionPolicy.objects.exists()
    saved = client_for(coordinator).post(url, {"not_placed_months": 2, "placed_months": 24, "survey_text_months": 6})
    assert saved.status_code == 302
    policy = RetentionPolicy.objects.get(force=force_a)
    assert (policy.not_placed_months, policy.placed_months, policy.survey_text_months) == (2, 24, 6)


def test_an_erased_student_is_never_issued_a_certificate(db, coordinator):
    from certificates.selectors import programme_eligibility
    from privacy.services import student_erase
    from tests import factories as f

    placement = f.PlacementFactory(programme=f.ProgrammeFactory(force=coordinator.force_person.force))
    for day in placement.programme.days:
        f.AttendanceFactory(placement=placement, date=day)
    assert [row.eligible for row in programme_eligibility(programme=placement.programme)] == [True]
    student_erase(nomination=placement.nomination, actor=coordinator, reason="request")
    rows = programme_eligibility(programme=placement.programme)
    assert [(row.eligible, row.reason) for row in rows] == [(False, "Personal data erased")]


# ---------------------------------------------------------------- found by key, not by today's text


def _admin_saved(nomination, superuser):
    """What the Django admin records when a nomination is saved there (its history, "Recent actions")."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().post("/admin/")
    request.user = superuser
    admin.site._registry[Nomination].log_change(request, nomination, [{"changed": {"fields": ["First name"]}}])


def test_erasure_finds_earlier_names_guardians_and_emails_by_key(allocation_a, coordinator, superuser, client_for):
    """Regression: a name corrected after an admin save stayed in the admin log and in the outbox."""
    from schools import services as intake
    from tests.schools.conftest import student as student_data

    allocation, programme, force_a = allocation_a, allocation_a.programme, allocation_a.programme.force
    contact = f.InstitutionContactFactory(institution=allocation.institution, email="teacher@school.invalid")
    data = student_data(
        programme,
        first_name="Wiktorja",
        last_name="Zbrzeska",
        guardian_name="Olga Zbrzeska",
        guardian_email="olga@family.invalid",
        emergency_contact_name="Olga Zbrzeska",
    )
    nomination = intake.nomination_submit(allocation=allocation, data=data, actor=None)
    other = f.NominationFactory(programme=programme, institution=allocation.institution, first_name="Kept")
    _admin_saved(nomination, superuser)
    # One email about two students: the other keeps their line after this one is erased.
    email_queue(
        kind="place_released",
        to=contact.email,
        context={"nomination": nomination, "programme": programme, "why": "withdrawn", "promoted": [other]},
        dedupe_key="test-released",
        force=force_a,
        about=[nomination, other],
    )
    # The school corrects the name and the guardian later; erasure must still find the old ones.
    intake.nomination_update(
        nomination=nomination,
        data={**data, "first_name": "Wiktoria", "guardian_name": "Olga Nowak", "guardian_email": "olga@nowak.invalid"},
        actor=None,
    )
    nomination.refresh_from_db()
    assert OutboundEmail.objects.filter(subject__contains="Consent needed for Wiktorja").exists()
    identities = _identities([nomination])
    identities[nomination.pk]["names"] |= {
        "Wiktorja",
        "Wiktorja Zbrzeska",
        "Olga Zbrzeska",
        "olga@family.invalid",
        "olga@nowak.invalid",
    }
    assert {where.split("#")[0] for _, where, _ in _leaks(identities)} >= {
        "django_admin_log.object_repr",
        "core_outboundemail.subject",
        "core_outboundemail.to",
    }

    assert _erase(client_for(coordinator), nomination, confirm="on").status_code == 302

    assert _leaks(identities, keep_names=_product_vocabulary()) == []
    shared = OutboundEmail.objects.get(dedupe_key="test-released")
    assert other.full_name in shared.body_text  # the other student's line is kept
    consent_emails = OutboundEmail.objects.filter(kind="consent_request")
    assert {e.to for e in consent_emails} == {f"erased-{nomination.pk}@erased.invalid"}
    # Emails about only this student that were still waiting are never sent.
    assert not OutboundEmail.objects.pending().filter(kind="consent_request").exists()


def _declared_personal_fields():
    """{model label: fields} from the product's own declarations of what is personal about a student."""
    from core.personal_data import registry

    # Every audited model about the student (its rows must be there to test), with its personal fields.
    declared = {label: set() for label in registry.audited() if label in registry.holds()}
    declared.update(registry.personal_fields())
    return declared


# Kept on purpose, without the student's names: what the guardian agreed to.
KEPT_AS_RECORD = {("schools.consent", "wording")}


def test_every_declared_personal_field_is_blank_after_erasure_whatever_it_said(student, coordinator):
    """Regression: dropping the erasure of `sensitive_notes` or `support_needs` left every test green."""
    from django.apps import apps
    from django.db import models as m

    from core.personal_data import SENTINEL_DOB
    from privacy.selectors import student_rows
    from privacy.services import student_erase

    nomination = student["nomination"]
    declared = _declared_personal_fields()
    rows = student_rows(nomination)
    by_label = {objs[0]._meta.label_lower: objs for objs in rows.values() if objs}
    assert set(declared) <= set(by_label), set(declared) - set(by_label)
    for label, fields in declared.items():
        model = apps.get_model(label)
        values = {}
        for name in fields:
            field = model._meta.get_field(name)
            if isinstance(field, m.EmailField):
                values[name] = "someone@anywhere.invalid"
            elif field.choices:
                values[name] = field.choices[-1][0]
            elif isinstance(field, m.CharField | m.TextField):
                values[name] = "any words at all"
        model.objects.filter(pk__in=[o.pk for o in by_label[label]]).update(**values)

    student_erase(nomination=nomination, actor=coordinator, reason=Erasure.Reason.REQUEST)

    placeholders = ["", None, {}, "Erased", f"#{nomination.pk}", SENTINEL_DOB, "Personal data erased"]
    left = []
    for label, fields in declared.items():
        for obj in apps.get_model(label).objects.filter(pk__in=[o.pk for o in by_label[label]]):
            for name in fields:
                value = getattr(obj, name)
                if (label, name) in KEPT_AS_RECORD:
                    assert "Ottoline" not in value and "Quade" not in value
                elif value not in placeholders:
                    left.append((label, name, value))
    assert left == []


# ---------------------------------------------------------------- the export holds only this student's rows


def test_export_leaves_out_a_school_email_that_lists_other_students(force_a, coordinator, client_for, settings):
    """Regression: a survey-links email to the school, listing other students and their links, was exported."""
    from schools.services import consent_link_send
    from surveys.services import invitation_send_links, survey_setup_programme

    programme = f.ProgrammeFactory(force=force_a)
    school = f.InstitutionFactory(force=force_a)
    f.InstitutionContactFactory(institution=school, email="teacher@school.invalid")
    ours, _theirs = (
        f.PlacementFactory(programme=programme, nomination__institution=school, nomination__first_name=name)
        for name in ("Ottoline", "Bartholomew")
    )
    consent_link_send(consent=f.ConsentFactory(nomination=ours.nomination), purpose="request")
    survey = survey_setup_programme(programme=programme)["pre"]
    assert invitation_send_links(survey=survey) == 1
    shared = OutboundEmail.objects.get(kind="survey_links")
    assert "Ottoline" in shared.body_text and "Bartholomew" in shared.body_text

    response = client_for(coordinator).get(reverse("privacy:student_export", args=[ours.nomination.pk]))

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    emails = json.loads(archive.read("emails.json"))
    assert [e["fields"]["kind"] for e in emails] == ["consent_request"]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Bartholomew" not in everything and b"/s/" not in everything and b"/consent/" not in everything


def test_a_link_opened_before_erasure_opens_nothing_after_it(client, allocation_a, coordinator):
    """The guardian's and the student's sessions hold a link's number, not its token: erasure must end those too."""
    from privacy.services import student_erase
    from schools import services as intake
    from surveys.views import SESSION_KEY
    from tests.schools.conftest import student as student_data
    from tests.surveys.conftest import make_week, token_for

    nomination = intake.nomination_submit(
        allocation=allocation_a, data=student_data(allocation_a.programme), actor=coordinator
    )
    _, token = intake.consent_link_send(consent=nomination.consent, purpose=ConsentLink.Purpose.REMINDER)
    guardian = client
    guardian.get(reverse("consent:open", args=[token]))
    assert guardian.get(reverse("consent:form")).status_code == 200

    surveys, placements = make_week(f.ProgrammeFactory(force=allocation_a.programme.force), students=1)
    pupil = type(client)()
    pupil.get(f"/s/{token_for(surveys['pre'], placements[0])}/")
    assert pupil.session[SESSION_KEY] and pupil.get(reverse("surveys:student_start")).status_code == 200

    student_erase(nomination=nomination, actor=coordinator, reason=Erasure.Reason.REQUEST)
    student_erase(nomination=placements[0].nomination, actor=coordinator, reason=Erasure.Reason.REQUEST)
    assert guardian.get(reverse("consent:form")).status_code == 404
    assert pupil.get(reverse("surveys:student_start")).status_code == 410  # "This survey is no longer needed"
