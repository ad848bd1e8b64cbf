"""Only markers the product made become working links: words typed into a form never do (core/links.py)."""

import pytest
from django.core import mail

from core.links import link_marker, link_register, links_resolve
from schools.models import ConsentLink
from schools.services import consent_link_send
from schools.services._common import consent_link_path
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_made_marker_becomes_its_link_and_a_typed_one_stays_as_typed(force_b):
    victim = consent_link_send(consent=f.ConsentFactory(nomination__programme__force=force_b), purpose="request")[0]
    path = consent_link_path(victim.pk)
    assert path and links_resolve(link_marker("consent", victim.pk)) == path
    for typed in (
        f"[[link:consent:{victim.pk}]]",  # the format before markers were signed
        f"[[link:consent:{victim.pk}:{'0' * 32}]]",  # a made-up signature
        link_marker("consent", victim.pk).replace(f":{victim.pk}:", f":{victim.pk + 1}:"),  # another row's number
    ):
        assert links_resolve(f"Dear {typed},") == f"Dear {typed},"


def test_a_marker_made_under_the_previous_secret_key_still_works(settings):
    link_register("test-rotation", lambda pk: f"/open/{pk}/")
    marker = link_marker("test-rotation", 7)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-" + settings.SECRET_KEY
    assert links_resolve(marker) == "/open/7/"
    settings.SECRET_KEY_FALLBACKS = []
    assert links_resolve(marker) == marker


def test_a_guardian_name_that_names_another_familys_link_sends_no_link_to_it(
    force_a, force_b, mailoutbox, django_capture_on_commit_callbacks
):
    """The attack: a school contact types another force's consent link marker as a guardian's name, and
    their own address as the guardian's email. The consent request they receive must hold only its own link."""
    victim = consent_link_send(consent=f.ConsentFactory(nomination__programme__force=force_b), purpose="request")[0]
    mail.outbox.clear()
    typed = f"[[link:consent:{victim.pk}]]"
    consent = f.ConsentFactory(
        nomination__programme__force=force_a,
        nomination__guardian_name=typed,
        nomination__guardian_email="attacker@school.invalid",
    )
    with django_capture_on_commit_callbacks(execute=True):
        own, _token = consent_link_send(consent=consent, purpose="request")
    sent = [m for m in mail.outbox if "attacker@school.invalid" in m.to]
    assert sent, "the consent request was sent"
    bodies = [sent[0].body, *(content for content, _type in getattr(sent[0], "alternatives", []))]
    victim_path = consent_link_path(victim.pk)
    assert all(victim_path not in body for body in bodies)
    assert any(consent_link_path(own.pk) in body for body in bodies)
    assert ConsentLink.objects.filter(pk=victim.pk).exists()
