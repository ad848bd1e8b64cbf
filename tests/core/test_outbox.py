"""Emails are written with the change that causes them and sent once, even if asked twice."""

import pytest
from django.core import mail
from django.db import transaction

from core.models import OutboundEmail
from core.services import email_queue, outbound_email_send
from core.tasks import send_pending_emails
from tests.factories import OutboundEmailFactory


def test_queue_sends_after_commit_once(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(kind="test_hello", to="a@example.org", context={"name": "<Sam>"}, dedupe_key="hello-1")
        email_queue(kind="test_hello", to="a@example.org", context={"name": "<Sam>"}, dedupe_key="hello-1")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hello <Sam>"
    assert "&lt;Sam&gt;" in mail.outbox[0].alternatives[0][0]
    assert OutboundEmail.objects.get().sent_at is not None


class _Abandon(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_if_the_transaction_rolls_back():
    with pytest.raises(_Abandon), transaction.atomic():
        email_queue(kind="test_hello", to="a@example.org", context={"name": "Sam"}, dedupe_key="hello-2")
        raise _Abandon
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []
    # The same call in a transaction that commits does send: the test above can fail.
    with transaction.atomic():
        email_queue(kind="test_hello", to="a@example.org", context={"name": "Sam"}, dedupe_key="hello-2")
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().sent_at is not None


def test_send_twice_sends_once(db):
    email = OutboundEmailFactory()
    assert outbound_email_send(email_id=email.pk) is True
    assert outbound_email_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_sweeper_sends_emails_whose_task_never_ran(db):
    email = OutboundEmailFactory()
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=email.created_at.replace(year=2020))
    assert send_pending_emails() == 1
    assert send_pending_emails() == 0
    assert len(mail.outbox) == 1


def test_each_link_of_an_email_is_made_once_for_its_text_and_html_parts(db):
    from core import links

    calls = []
    links.link_register("test-made-once", lambda pk: calls.append(pk) or f"/made/{pk}/")
    marker = links.link_marker("test-made-once", 7)
    email = OutboundEmailFactory(body_text=f"Open {marker}", body_html=f"<a href='{marker}'>open</a> {marker}")
    try:
        assert outbound_email_send(email_id=email.pk) is True
    finally:
        links._makers.pop("test-made-once")
    assert calls == [7]
    assert "/made/7/" in mail.outbox[0].body and "/made/7/" in mail.outbox[0].alternatives[0][0]


def test_an_email_without_its_own_html_gets_the_layout_naming_force_programme_and_dates(
    db, django_capture_on_commit_callbacks
):
    from datetime import date

    from django.conf import settings

    from core.links import link_marker, link_register
    from tests import factories as f

    force = f.ForceFactory(name="Northshire Police")
    programme = f.ProgrammeFactory(
        force=force, title="Summer week", start_date=date(2027, 7, 12), end_date=date(2027, 7, 16)
    )
    link_register("test-layout", lambda pk: f"/open/secret-{pk}/")
    context = {
        "programme": programme,
        "link": link_marker("test-layout", 7),
        "inviter": "<b>Casey</b>",
        "institution": f.InstitutionFactory(force=force, name="Oakfield"),
        "invitation": type("Invitation", (), {"name": "Pat"})(),
        "days": 7,
    }
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(
            kind="contact_invitation", to="pat@school.invalid", context=context, dedupe_key="x", force=force
        )
    assert "secret-7" not in email.body_html  # only the marker is stored
    html = mail.outbox[0].alternatives[0][0]
    assert "Northshire Police" in html
    assert "Summer week" in html
    assert "Monday 12 July 2027 to Friday 16 July 2027" in html
    assert f'<a href="{settings.SITE_URL}/open/secret-7/"' in html
    assert "&lt;b&gt;Casey&lt;/b&gt;" in html and "<b>Casey</b>" not in html
    assert mail.outbox[0].body.startswith("Hello Pat,")  # the plain-text part is kept as it was
