"""The migration that signs the markers of emails queued before markers were signed."""

import importlib

import pytest
from django.apps import apps

from core.links import link_marker, link_register, links_resolve
from core.models import OutboundEmail, OutboundSms
from tests.factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("core.migrations.0011_sign_pending_link_markers")


def test_waiting_emails_and_texts_keep_their_links_and_sent_ones_are_left(force_a):
    link_register("test-old", lambda pk: f"/open/{pk}/")
    waiting = OutboundEmailFactory(body_text="Open [[link:test-old:4]]", body_html="<a>[[link:test-old:4]]</a>")
    sent = OutboundEmailFactory(body_text="Was [[link:test-old:5]]", sent_at="2026-01-01T00:00Z")
    text = OutboundSms.objects.create(
        force=force_a, to="+447700900123", body="Go to [[link:test-old:6]]", kind="t", dedupe_key="t-6"
    )
    migration.sign(apps, None)
    waiting.refresh_from_db()
    assert waiting.body_text == f"Open {link_marker('test-old', 4)}"
    assert links_resolve(waiting.body_html) == "<a>/open/4/</a>"
    assert OutboundEmail.objects.get(pk=sent.pk).body_text == "Was [[link:test-old:5]]"
    assert links_resolve(OutboundSms.objects.get(pk=text.pk).body) == "Go to /open/6/"
