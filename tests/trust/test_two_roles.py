"""A user with two roles gets what either role gives, and nothing that neither gives.

The role x URL matrix fixes what each single role may do. Here the syndicate lead of the demo
world is given a second role (first a school contact of Oakfield, then a career mentor) and every
URL is requested again: a URL is open to them exactly when it is open to one of the two roles
alone. A two-role user who could act as a coordinator, or a contact whose scope reached the whole
force, would get a page that neither role gets.
"""

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from accounts.scoping import scope_for
from mentoring.models import MentorAssignment
from placements.models import ForcePerson
from schools.models import InstitutionContact
from tests.trust.test_url_matrix import DENIED, enumerate_urls, outcome, parse_matrix, snapshot, url_for
from tests.trust.world import build_world

pytestmark = pytest.mark.django_db


def _allowed(cell):
    return cell.split("/")[0] not in DENIED


def _signed_in(user):
    """A maker of fresh clients sharing one sign-in (signing in again would change last_login)."""
    client = Client()
    client.force_login(user)
    data = dict(SessionStore(session_key=client.cookies[django_settings.SESSION_COOKIE_NAME].value).load())

    def fresh():
        store = SessionStore()
        store.update(data)
        store.create()
        new = Client()
        new.cookies[django_settings.SESSION_COOKIE_NAME] = store.session_key
        return new

    return fresh


def _check(user, roles, urls, matrix):
    wrong = []
    fresh = _signed_in(user)
    for name, url in sorted(urls.items()):
        expected = any(_allowed(matrix[name][role]) for role in roles)
        got = outcome(fresh().get(url))
        if (got not in DENIED) != expected:
            wrong.append(f"GET {name}: {'open' if expected else 'refused'} expected, got {got} ({url})")
    before = snapshot()
    for name, url in sorted(urls.items()):
        if any(matrix[name][role].split("/")[-1] not in DENIED for role in roles):
            continue
        got = outcome(fresh().post(url, {"confirm": "1", "status": "withdrawn", "answer": "accept"}))
        if got not in DENIED:
            wrong.append(f"POST {name}: refused expected, got {got} ({url})")
    assert snapshot() == before, "a refused POST changed data"
    return wrong


def test_a_second_role_adds_only_what_that_role_gives(settings, monkeypatch):
    settings.RATELIMIT_ENABLE = False
    monkeypatch.setattr("core.views._check_worker", lambda: "ok")
    matrix = parse_matrix()
    world = build_world()
    urls = {name: url_for(name, entry, world) for name, entry in enumerate_urls().items()}
    lead = world.users["lead"]
    oakfield = world.users["contact_a"].institution_contact.institution

    # A teacher at Oakfield who also volunteers as a syndicate lead.
    contact_row = InstitutionContact.objects.create(
        institution=oakfield, name="Lead And Teacher", email="lead.teacher@oakfield.invalid", user=lead
    )
    assert scope_for(lead).roles == ["contact", "lead"]
    wrong = _check(lead, ["contact_a", "lead"], urls, matrix)
    assert wrong == [], "contact + lead:\n" + "\n".join(wrong)

    # The same syndicate lead who is also a career mentor (and no longer a contact).
    contact_row.delete()
    lead = type(lead).objects.get(pk=lead.pk)
    ForcePerson.objects.filter(user=lead).update(is_mentor=True)
    MentorAssignment.objects.filter(mentor__user=world.users["mentor"]).update(mentor=lead.force_person)
    assert scope_for(lead).roles == ["lead", "mentor"]
    wrong = _check(lead, ["lead", "mentor"], urls, matrix)
    assert wrong == [], "lead + mentor:\n" + "\n".join(wrong)
