"""The client's address, in one place: REMOTE_ADDR directly, or X-Forwarded-For behind our own proxies.

Direct (DJANGO_PROXY_COUNT=0): a forged X-Forwarded-For changes nothing. Proxied (1): clients
behind the same proxy are counted apart by axes, the token rate limit and the survey code
counter, and the audit trail records the client; entries a client puts in front are ignored.
"""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from core.clientip import resolve_client_ip
from surveys.views import CODE_ATTEMPTS
from tests import factories as f
from tests.surveys.conftest import make_week, token_for

PROXY = "10.0.0.5"
ALICE = "203.0.113.9"
BOB = "198.51.100.7"


@pytest.mark.parametrize(
    ("proxy_count", "remote", "forwarded", "expected"),
    [
        (0, ALICE, "", ALICE),
        (0, ALICE, BOB, ALICE),  # direct: the header is the client's own words
        (1, PROXY, ALICE, ALICE),
        (1, PROXY, f"{BOB}, 192.0.2.1, {ALICE}", ALICE),  # entries the client put in front
        (1, PROXY, f"{ALICE}:51234", ALICE),
        (1, PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        (2, PROXY, f"{BOB}, {ALICE}, 10.0.0.9", ALICE),
        (2, PROXY, ALICE, PROXY),  # fewer entries than proxies: none is known to be a proxy's
        (1, PROXY, "", PROXY),
        (1, PROXY, "not-an-address", PROXY),
    ],
)
def test_resolve_client_ip(proxy_count, remote, forwarded, expected):
    meta = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    assert resolve_client_ip(meta, proxy_count) == expected


@pytest.fixture
def direct(settings):
    settings.PROXY_COUNT = 0


@pytest.fixture
def proxied(settings):
    settings.PROXY_COUNT = 1


def _from(client_address, *, claimed=""):
    """A request through our one proxy, which appends the address it saw to what the client sent."""
    forwarded = f"{claimed}, {client_address}" if claimed else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def _login(client, password, **meta):
    return client.post(reverse("accounts:login"), {"username": "coord-a", "password": password}, **meta)


# --- django-axes ----------------------------------------------------------------------------------


def test_direct_a_forged_header_does_not_escape_a_lockout(client, coordinator, settings, direct):
    settings.AXES_ENABLED = True
    for attempt in range(5):
        _login(client, "wrong", REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
    assert _login(client, f.PASSWORD, REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=BOB).status_code == 429


def test_proxied_one_client_locked_out_does_not_lock_out_another(client, coordinator, settings, proxied):
    settings.AXES_ENABLED = True
    for attempt in range(5):
        _login(client, "wrong", **_from(ALICE, claimed=f"192.0.2.{attempt}"))
    assert _login(client, f.PASSWORD, **_from(ALICE, claimed=BOB)).status_code == 429
    assert _login(client, f.PASSWORD, **_from(BOB)).status_code == 302


# --- rejected link tokens (django-ratelimit, key="ip") ---------------------------------------------


@pytest.fixture
def good_link(programme_a):
    surveys, placements = make_week(programme_a, students=1)
    return reverse("surveys:token_enter", args=[token_for(surveys["pre"], placements[0])])


def _guess(client, n, **meta):
    return client.get(reverse("surveys:token_enter", args=[f"guess-{n}"]), **meta)


def test_direct_a_forged_header_does_not_escape_the_token_limit(client, good_link, settings, direct):
    settings.REJECTED_TOKEN_RATE = "3/10m"
    for n in range(4):  # three allowed, the fourth counted and then refused
        assert _guess(client, n, REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code == 404
    assert client.get(good_link, REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=BOB).status_code == 429


def test_proxied_token_limit_counts_each_client_apart(client, good_link, settings, proxied, caplog):
    settings.REJECTED_TOKEN_RATE = "3/10m"
    for n in range(4):
        assert _guess(client, n, **_from(ALICE, claimed=f"192.0.2.{n}")).status_code == 404
    assert client.get(good_link, **_from(ALICE, claimed=BOB)).status_code == 429
    assert client.get(good_link, **_from(BOB)).status_code == 302
    security = [r.getMessage() for r in caplog.records if r.name == "security.tokens"]
    assert any(f"from {ALICE}" in line for line in security)
    assert not any(PROXY in line for line in security)


# --- the survey short-code counter ---------------------------------------------------------------


def _wrong_code(client, **meta):
    return client.post(reverse("surveys:code_enter"), {"code": "ZZZZ-ZZZZ"}, **meta)


def test_direct_a_forged_header_does_not_escape_the_code_counter(client, db, direct):
    for n in range(CODE_ATTEMPTS):
        _wrong_code(client, REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert _wrong_code(client, REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=BOB).status_code == 429


def test_proxied_code_counter_counts_each_client_apart(client, db, proxied):
    for n in range(CODE_ATTEMPTS):
        assert _wrong_code(client, **_from(ALICE, claimed=f"192.0.2.{n}")).status_code == 400
    assert _wrong_code(client, **_from(ALICE, claimed=BOB)).status_code == 429
    assert _wrong_code(client, **_from(BOB)).status_code == 400


# --- the audit trail (django-auditlog) -----------------------------------------------------------


def _read_nomination(client, nomination, **meta):
    response = client.get(reverse("privacy:student_export", args=[nomination.pk]), **meta)
    assert response.status_code == 200
    return LogEntry.objects.get_for_object(nomination).filter(action=LogEntry.Action.ACCESS).latest("timestamp")


def test_direct_audit_trail_records_the_connection_not_a_forged_header(client, coordinator, programme_a, direct):
    client.force_login(coordinator)
    nomination = f.NominationFactory(programme=programme_a)
    entry = _read_nomination(client, nomination, REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=BOB)
    assert entry.remote_addr == ALICE


def test_proxied_audit_trail_records_the_client(client, coordinator, programme_a, proxied):
    client.force_login(coordinator)
    nomination = f.NominationFactory(programme=programme_a)
    entry = _read_nomination(client, nomination, **_from(ALICE, claimed=BOB))
    assert entry.remote_addr == ALICE
