"""Welsh for what a school contact reads and what surrounds the families' change emails.

A school contact of a Welsh force gets the force's language in every email (offers, confirmations,
survey links, certificates, the invitation to sign up); force staff keep English, like their pages. The
sentences telling families what changed in their week are in each family's language, with Welsh day and
month names, and a change to a Welsh text is told only to those who read it. The sign-in pages, the
fault page and the QR sheet follow too.
"""

import subprocess
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.links import MARKER
from core.models import OutboundEmail
from tests import factories as f
from tests.core.welsh import english_left, welsh_world


@pytest.fixture
def world(db):
    world = welsh_world()
    world["contact"] = f.InstitutionContactFactory(
        institution=world["nomination"].institution, name="Eleri Jones", email="eleri@ysgol.invalid"
    )
    world["allowed"] = [*world["allowed"], "Eleri Jones"]
    return world


def _welsh_email(email, world):
    for text in (email.subject, MARKER.sub("", email.body_text)):
        assert english_left(text, allowed=world["allowed"]) == [], text
    return email


def _offered(world, **fields):
    from schools.models import Nomination

    return f.NominationFactory(
        programme=world["programme"],
        institution=world["nomination"].institution,
        status=Nomination.Status.OFFERED,
        offer_deadline=timezone.localdate() + timedelta(days=5),
        status_changed_at=timezone.now(),
        **fields,
    )


def test_a_confirmed_place_goes_to_the_school_in_the_forces_language_and_to_the_family_in_theirs(world):
    from schools.services import offer_respond

    nomination = _offered(world, first_name="Tom", last_name="Price", guardian_email="tom.price@family.invalid")
    nomination.preferred_language = "en-gb"
    nomination.save(update_fields=["preferred_language"])
    offer_respond(nomination=nomination, accept=True, actor=None)

    school = OutboundEmail.objects.get(kind="place_confirmed", to="eleri@ysgol.invalid")
    assert school.subject.startswith("Lle wedi'i gadarnhau: Tom Price")
    _welsh_email(school, {**world, "allowed": [*world["allowed"], "Tom Price", "Tom"]})
    family = OutboundEmail.objects.get(kind="place_confirmed", to="tom.price@family.invalid")
    assert family.subject.startswith("Place confirmed: Tom Price")


def test_a_released_place_tells_the_coordinator_in_english_and_the_school_in_welsh(world):
    from schools.services import nomination_withdraw

    nomination = _offered(world, first_name="Tom", last_name="Price")
    f.ForcePersonFactory(force=world["force"], is_coordinator=True, email="cydlynydd@heddlu.invalid")
    nomination_withdraw(nomination=nomination, actor=None)

    released = OutboundEmail.objects.filter(kind="place_released")
    school = released.get(to="eleri@ysgol.invalid")
    assert "(wedi'i dynnu'n ôl)" in school.subject
    _welsh_email(school, {**world, "allowed": [*world["allowed"], "Tom Price"]})
    coordinators = [email for email in released if email.to != "eleri@ysgol.invalid"]
    assert coordinators and all(
        email.subject.startswith("Place released: Tom Price (withdrawn)") for email in coordinators
    )


def test_an_english_forces_school_still_reads_english(db):
    from schools.models import Nomination
    from schools.services import offer_respond

    nomination = f.NominationFactory(
        status=Nomination.Status.OFFERED,
        offer_deadline=timezone.localdate() + timedelta(days=5),
        status_changed_at=timezone.now(),
    )
    f.InstitutionContactFactory(institution=nomination.institution, email="head@school.invalid")
    offer_respond(nomination=nomination, accept=True, actor=None)
    assert OutboundEmail.objects.get(to="head@school.invalid").subject.startswith("Place confirmed:")


def test_the_invitation_to_a_school_contact_is_in_the_forces_language(world):
    from schools.services import contact_invitation_create

    contact_invitation_create(
        institution=world["nomination"].institution,
        name="Dafydd Huws",
        email="dafydd@ysgol.invalid",
        actor=None,
        programme=world["programme"],
    )
    email = OutboundEmail.objects.get(kind="contact_invitation")
    assert email.subject == "Fe'ch gwahoddir i enwebu myfyrwyr ar gyfer profiad gwaith Heddlu Dyfed-Powys"
    assert "Mae Cydlynydd yr heddlu wedi eich gwahodd" in email.body_text
    _welsh_email(email, {**world, "allowed": [*world["allowed"], "Dafydd Huws"]})


def test_survey_links_and_certificates_reach_the_school_in_welsh(world):
    from certificates.services import certificate_notify_contacts
    from surveys.services import invitation_send_links

    invitation_send_links(survey=world["invitation"].survey)
    links = OutboundEmail.objects.get(kind="survey_links")
    assert links.subject == "Dolenni arolwg i'ch myfyrwyr: Wythnos Profiad Gwaith (cyn y rhaglen)"
    _welsh_email(links, world)

    certificate_notify_contacts(programme=world["programme"])
    ready = OutboundEmail.objects.get(kind="certificates_ready")
    assert "Mae 1 dystysgrif ar gyfer myfyrwyr Ysgol Bro Teifi" in ready.body_text
    _welsh_email(ready, world)


# --- what changed in the week ----------------------------------------------------------------------


def _changed(world, **data):
    from communications.models import JOINING_FIELDS, JoiningInstructions
    from communications.services import joining_instructions_save
    from core.models import OutboundEmail as Email

    instructions = JoiningInstructions.objects.get(programme=world["programme"])
    instructions.sent_at = timezone.now()
    instructions.save(update_fields=["sent_at"])
    # The family was sent the instructions, so a change is told to them.
    for placement in world["programme"].placements.select_related("nomination"):
        Email.objects.get_or_create(
            dedupe_key=f"joining-instructions:{placement.pk}:{placement.nomination.guardian_email}",
            defaults={"kind": "joining_instructions", "to": placement.nomination.guardian_email, "subject": "x"},
        )
    current = {name: getattr(instructions, name) for name in JOINING_FIELDS}
    joining_instructions_save(programme=world["programme"], data={**current, **data}, actor=None, tell_changes=True)
    return Email.objects.filter(kind="week_changed")


def _english_family(world):
    from placements.models import Placement
    from schools.models import Nomination

    nomination = f.NominationFactory(
        programme=world["programme"],
        institution=world["nomination"].institution,
        preferred_language="en-gb",
        status=Nomination.Status.ACCEPTED,
        guardian_email="english.family@home.invalid",
    )
    return Placement.objects.create(programme=world["programme"], nomination=nomination)


def test_a_changed_time_and_ceremony_are_told_in_the_familys_language(world):
    _english_family(world)
    day = world["programme"].end_date + timedelta(days=3)  # a Monday or later: a day name either way
    zone = timezone.get_default_timezone()
    starts = datetime.combine(day, time(18), zone)
    emails = _changed(
        world, day_starts=time(8, 15), ceremony_starts_at=starts, ceremony_ends_at=starts + timedelta(hours=2)
    )

    welsh = emails.get(to=world["nomination"].guardian_email)
    assert "Cyrraedd erbyn: roedd " in welsh.body_text and "nawr 08:15." in welsh.body_text
    assert "Seremoni wobrwyo wedi'i hychwanegu: " in welsh.body_text
    # Day and month names in Welsh, from Django's own Welsh formats.
    assert "dydd" in welsh.body_text.lower()
    _welsh_email(welsh, world)

    english = emails.get(to="english.family@home.invalid")
    assert "Arrive by: was " in english.body_text and "now 08:15." in english.body_text
    assert f"Awards ceremony added: {starts:%A} {starts.day} {starts:%B %Y}, 18:00 to 20:00." in english.body_text


def test_a_change_to_a_welsh_text_is_told_only_to_welsh_readers(world):
    _english_family(world)
    emails = _changed(world, what_to_wear_cy="Dillad cyfforddus ac esgidiau fflat.")
    assert [email.to for email in emails] == [world["nomination"].guardian_email]
    assert "Beth i'w wisgo" in emails.get().body_text


def test_an_english_text_changed_under_a_welsh_one_is_told_only_to_english_readers(world):
    _changed(world, what_to_wear_cy="Gwisg ysgol.")
    OutboundEmail.objects.filter(kind="week_changed").delete()
    _english_family(world)
    emails = _changed(world, what_to_wear="School uniform, please.")
    assert [email.to for email in emails] == ["english.family@home.invalid"]


def test_a_swapped_session_is_told_in_the_familys_language(world):
    from communications.models import JoiningInstructions
    from communications.services import session_replaced_tell

    JoiningInstructions.objects.filter(programme=world["programme"]).update(sent_at=timezone.now())
    placement = world["placement"]
    syndicate = f.SyndicateFactory(programme=world["programme"])
    placement.syndicate = syndicate
    placement.save(update_fields=["syndicate"])
    OutboundEmail.objects.create(
        kind="joining_instructions",
        to=world["nomination"].guardian_email,
        subject="x",
        body_text="x",
        dedupe_key=f"joining-instructions:{placement.pk}:{world['nomination'].guardian_email}",
    )
    first_day = timezone.make_aware(datetime.combine(world["programme"].start_date, time(10)))
    cancelled = f.SessionFactory(
        programme=world["programme"],
        activity__title="Sganio lleoliad",
        starts_at=first_day,
        ends_at=first_day + timedelta(hours=1),
    )
    replacement = f.SessionFactory(
        programme=world["programme"],
        activity__title="Gweithdy olion bysedd",
        activity__venue="Neuadd",
        starts_at=first_day,
        ends_at=first_day + timedelta(hours=1),
    )
    replacement.syndicates.add(syndicate)
    session_replaced_tell(session=cancelled, replacement=replacement)
    email = OutboundEmail.objects.get(kind="week_changed")
    assert "Mae Sganio lleoliad ar " in email.body_text and "wedi'i ganslo." in email.body_text
    assert "Yn lle hynny: Gweithdy olion bysedd, " in email.body_text
    _welsh_email(email, {**world, "allowed": [*world["allowed"], "Sganio lleoliad", "Gweithdy olion bysedd", "Neuadd"]})


# --- pages and the QR sheet ------------------------------------------------------------------------


def _welsh_client():
    client = Client()
    client.cookies["language"] = "cy"
    return client


@pytest.mark.parametrize("name", ["accounts:login"])
def test_the_sign_in_page_in_welsh(world, name):
    html = _welsh_client().get(reverse(name)).content.decode()
    assert '<html lang="cy">' in html
    assert english_left(html, allowed=world["allowed"]) == []


def test_the_fault_page_in_welsh(world):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("cy"):
        html = render_to_string("500.html")
    assert '<html lang="cy">' in html and "Aeth rhywbeth o'i le" in html
    assert english_left(html, allowed=world["allowed"]) == []


def test_the_qr_sheet_in_the_forces_language(world, tmp_path):
    from surveys.models import Invitation
    from surveys.pdf import qr_sheet_pdf

    survey = world["invitation"].survey
    pdf = qr_sheet_pdf(survey=survey, invitations=Invitation.objects.filter(survey=survey))
    (tmp_path / "sheet.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "sheet.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Eich cod:" in text and "Cyn y rhaglen" in text and "Sganiwch y cod QR" in text
    assert english_left(text, allowed=world["allowed"]) == []
