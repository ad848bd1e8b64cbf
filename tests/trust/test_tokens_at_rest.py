"""A link token is a password: after every email of the intake and survey journeys has been sent and
every link opened, no row of any table (the outbox and the session table included) holds a working
token, while the emails delivered carry working links."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from certificates.services import student_link_create
from communications.services import joining_instructions_send
from core.links import link_marker
from core.models import OutboundEmail
from events import services as services_events
from placements.services import force_person_invitation_create
from schools import services as intake
from surveys.models import Invitation
from surveys.services import invitation_send_links, invitation_send_reminders
from surveys.views import SESSION_KEY
from tests import factories as f
from tests.communications.conftest import written
from tests.schools.conftest import allocation_a, open_programme, student, today  # noqa: F401 - fixtures
from tests.surveys.conftest import make_week
from tests.trust.test_retention import _all_text

LINK = re.compile(r"/(consent|invitations|join|joining|reply|s)/([A-Za-z0-9_\-]{20,})/")
SHORT_CODE = re.compile(r"/s/ and type: ([A-Z0-9]{5}-[A-Z0-9]{5})")


def _stored_text():
    """Every text value at rest: each text, char and JSON column of every table, and every session decoded."""
    yield from _all_text()
    for session in Session.objects.all():
        yield f"django_session#{session.pk}", json.dumps(session.get_decoded(), default=str)


@pytest.fixture
def journey(coordinator, contact, allocation_a, programme_a, django_capture_on_commit_callbacks):
    """Invitation, consent request and reminder, survey links and reminders, a certificate link: all sent."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        intake.contact_invitation_create(
            institution=allocation_a.institution, name="Robin Teacher", email="robin@school.invalid", actor=coordinator
        )
        volunteer = f.ForcePersonFactory(force=programme_a.force, name="Vic Volunteer", email="vic@police.invalid")
        force_person_invitation_create(person=volunteer, actor=coordinator)
        nomination = intake.nomination_submit(
            allocation=allocation_a, data=student(allocation_a.programme), actor=contact
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert intake.consent_reminders_send(now=timezone.now() + timedelta(days=4)) == 1
    surveys, placements = make_week(programme_a, students=2)
    for placement in placements:
        f.InstitutionContactFactory(institution=placement.nomination.institution)
    with django_capture_on_commit_callbacks(execute=True):
        assert invitation_send_links(survey=surveys["pre"]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert invitation_send_reminders(survey=surveys["post"], now=timezone.now() + timedelta(days=4)) == 2
    written(programme_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert joining_instructions_send(programme=programme_a, actor=coordinator) == 4  # 2 guardians, 2 schools
    event = services_events.event_save(
        force=programme_a.force,
        data={
            "kind": "information",
            "title": "Information event",
            "starts_at": timezone.now() + timedelta(days=30),
            "ends_at": timezone.now() + timedelta(days=30, hours=2),
            "venue": "Training centre",
            "guests_allowed": 1,
            "reply_by": timezone.localdate() + timedelta(days=20),
        },
        actor=coordinator,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services_events.invitations_add(event=event, community=[("Ruth Community", "ruth@example.org")], actor=None)
    _link, certificate_token = student_link_create(placement=placements[0], actor=coordinator)
    return {"nomination": nomination, "certificate_token": certificate_token}


def test_no_working_token_is_stored_anywhere_yet_the_delivered_links_work(journey, client):
    delivered = {}
    for message in mail.outbox:
        for kind, token in LINK.findall(message.body):
            delivered.setdefault(kind, set()).add(token)
    assert {kind: len(tokens) for kind, tokens in delivered.items()} == {
        "invitations": 1,
        "join": 1,
        "consent": 2,
        "s": 4,
        "joining": 2,
        "reply": 1,
    }
    assert OutboundEmail.objects.filter(sent_at__isnull=False).count() == len(mail.outbox)

    # Every delivered link works, and opening it leaves something in the session table.
    for token in delivered["consent"]:
        client.get(reverse("consent:open", args=[token]))
        page = client.get(reverse("consent:form"))
        assert page.status_code == 200 and b"Consent for Jamie Rivers" in page.content
    for token in delivered["s"]:
        assert client.get(f"/s/{token}/").url == reverse("surveys:student_start")
    (invitation,) = delivered["invitations"]
    assert client.get(reverse("invitations:open", args=[invitation]), follow=True).status_code == 200
    (join,) = delivered["join"]
    joined = client.get(reverse("placements:person_invitation_open", args=[join]), follow=True)
    assert joined.status_code == 200 and b"Vic Volunteer" in joined.content
    assert client.get(reverse("certificates:student_open", args=[journey["certificate_token"]])).status_code == 302
    for token in delivered["joining"]:
        assert client.get(reverse("joining:open", args=[token])).url == reverse("joining:page")
        assert client.get(reverse("joining:page")).status_code == 200
    (reply,) = delivered["reply"]
    assert client.get(reverse("event_reply:open", args=[reply])).url == reverse("event_reply:page")
    assert b"Information event" in client.get(reverse("event_reply:page")).content
    assert Session.objects.exists()

    tokens = {token for found in delivered.values() for token in found} | {journey["certificate_token"]}
    leaks = [(where, token[:8]) for where, text in _stored_text() for token in tokens if token in text]
    assert leaks == []


def test_no_working_short_code_is_stored_anywhere_yet_the_delivered_codes_work(journey, client):
    """A short code (about 50 bits, typed at /s/code/) is a credential too: only a keyed hash of it is kept."""
    codes = {code for message in mail.outbox for code in SHORT_CODE.findall(message.body)}
    assert len(codes) == Invitation.objects.count() == 4

    cache.clear()  # the wrong-code counter
    opened = set()
    for code in codes:
        response = client.post(reverse("surveys:code_enter"), {"code": code.lower()})
        assert response.url == reverse("surveys:student_start")
        opened.add(client.session[SESSION_KEY])
    assert opened == set(Invitation.objects.values_list("pk", flat=True))

    needles = codes | {code.replace("-", "") for code in codes}
    leaks = [(where, code[:3]) for where, text in _stored_text() for code in needles if code in text]
    assert leaks == []
    survey_links = OutboundEmail.objects.filter(kind="survey_links").first()
    assert "[[link:survey-code:" in survey_links.body_text


@pytest.mark.parametrize(
    ("kind", "opening"), [("invitations", "invitations:open"), ("join", "placements:person_invitation_open")]
)
def test_an_opened_invitation_leaves_no_token_in_the_session(journey, client, kind, opening):
    (token,) = {t for m in mail.outbox for found, t in LINK.findall(m.body) if found == kind}
    client.get(reverse(opening, args=[token]))
    assert client.get(reverse(opening.replace("_open", "_accept").replace(":open", ":accept"))).status_code == 200
    assert [where for where, text in _stored_text() if token in text] == []


def test_the_outbox_keeps_a_marker_where_the_link_was(journey):
    email = OutboundEmail.objects.get(kind="consent_request")
    link = email.students.get().consent.links.get(purpose="request")
    assert link_marker("consent", link.pk) in email.body_text
    assert "/consent/" not in email.body_text
