"""Text messages: recorded in the outbox, sent once through the SMS_BACKEND; GOV.UK Notify's client is
exercised against a local HTTP server standing in for Notify (never the real service)."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest

from core import sms as sms_module
from core.models import OutboundSms
from core.services import outbound_sms_send, sms_queue
from core.sms import NotifySmsBackend, SmsError, phone_display, phone_normalise
from tests import factories as f


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms_module.outbox.clear()
    yield
    sms_module.outbox.clear()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("(07700) 900-123", "+447700900123"),
        ("01234 567890", None),  # a landline cannot take a text
        ("0770090012", None),
        ("not a number", None),
        ("", None),
    ],
)
def test_only_mobile_numbers_are_accepted_in_one_form(given, expected):
    assert phone_normalise(given) == expected


def test_a_number_is_shown_as_people_write_it():
    assert phone_display("+447700900123") == "07700 900123"


def test_a_text_is_recorded_then_sent_once(db, django_capture_on_commit_callbacks):
    nomination = f.NominationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = sms_queue(
            kind="test_text",
            to="+447700900123",
            context={"name": "Sam"},
            dedupe_key="test:1",
            about=[nomination],
        )
        again = sms_queue(kind="test_text", to="+447700900123", context={"name": "Sam"}, dedupe_key="test:1")
    assert first.pk == again.pk and OutboundSms.objects.count() == 1
    assert sms_module.outbox == [
        {"to": "+447700900123", "body": "Hello Sam, this is a test text.", "reference": f"sms-{first.pk}"}
    ]
    first.refresh_from_db()
    assert first.sent_at is not None and first.provider_reference == "locmem-1"
    assert list(first.students.all()) == [nomination]
    # Sending it again (a retried task, the sweeper) does nothing.
    assert outbound_sms_send(sms_id=first.pk) is False
    assert len(sms_module.outbox) == 1


class _FakeNotify(BaseHTTPRequestHandler):
    """Answers POST /v2/notifications/sms as Notify does; remembers what it was sent."""

    received: list = []
    status = 201

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        type(self).received.append(
            {"path": self.path, "headers": dict(self.headers), "body": json.loads(self.rfile.read(length))}
        )
        if type(self).status == 201:
            payload = {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": "x", "content": {}}
        else:
            payload = {"status_code": 400, "errors": [{"error": "BadRequestError", "message": "Not a mobile"}]}
        body = json.dumps(payload).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_notify():
    _FakeNotify.received, _FakeNotify.status = [], 201
    server = HTTPServer(("127.0.0.1", 0), _FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_notify_backend_sends_through_the_official_client(fake_notify, settings):
    service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
    template_id = str(uuid.uuid4())
    settings.NOTIFY_API_KEY = f"placements_test-{service_id}-{secret}"
    settings.NOTIFY_SMS_TEMPLATE_ID = template_id
    settings.NOTIFY_BASE_URL = fake_notify
    reference = NotifySmsBackend().send(to="+447700900123", body="Hello from the test", reference="sms-7")
    assert reference == "740e5834-3a29-46b4-9a6f-16142fde533a"
    (request,) = _FakeNotify.received
    assert request["path"] == "/v2/notifications/sms"
    assert request["body"] == {
        "phone_number": "+447700900123",
        "template_id": template_id,
        "personalisation": {"body": "Hello from the test"},
        "reference": "sms-7",
    }
    # Signed with the key's secret for the key's service, as Notify checks it.
    token = request["headers"]["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, secret, algorithms=["HS256"])
    assert claims["iss"] == service_id


def test_a_refusal_by_notify_is_recorded_on_the_text_and_retried_later(
    fake_notify, settings, db, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "core.sms.NotifySmsBackend"
    settings.NOTIFY_API_KEY = f"k-{uuid.uuid4()}-{uuid.uuid4()}"
    settings.NOTIFY_SMS_TEMPLATE_ID = str(uuid.uuid4())
    settings.NOTIFY_BASE_URL = fake_notify
    _FakeNotify.status = 400
    with django_capture_on_commit_callbacks(execute=True):
        text = sms_queue(kind="test_text", to="+447700900123", context={"name": "Sam"}, dedupe_key="test:2")
    text.refresh_from_db()
    assert text.sent_at is None and text.failed_attempts == 1
    assert "GOV.UK Notify refused the text" in text.last_error and "Not a mobile" in text.last_error
    _FakeNotify.status = 201
    assert outbound_sms_send(sms_id=text.pk) is True
    text.refresh_from_db()
    assert text.sent_at is not None and text.provider_reference == "740e5834-3a29-46b4-9a6f-16142fde533a"


def test_the_notify_backend_needs_its_settings(settings):
    settings.NOTIFY_API_KEY = ""
    with pytest.raises(SmsError, match="NOTIFY_API_KEY"):
        NotifySmsBackend()


def test_the_console_backend_prints_the_text(capsys, settings):
    settings.SMS_BACKEND = "core.sms.ConsoleSmsBackend"
    reference = sms_module.sms_backend().send(to="+447700900123", body="Printed", reference="sms-1")
    assert reference.startswith("console-")
    assert "SMS to +447700900123 (sms-1)" in capsys.readouterr().out
