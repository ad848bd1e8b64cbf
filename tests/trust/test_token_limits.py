"""Token endpoints: rejected tokens are logged and, past a limit, the address is refused (429);
valid links are never throttled, so a class on one school network is not blocked."""

import logging

import pytest
from django.urls import reverse

from tests.surveys.conftest import make_week, token_for


@pytest.fixture
def week(programme_a):
    surveys, placements = make_week(programme_a, students=25)
    return surveys, placements


def test_rejected_survey_tokens_are_logged_and_then_refused(client, week, settings, caplog):
    settings.REJECTED_TOKEN_RATE = "5/10m"
    surveys, placements = week
    good = token_for(surveys["pre"], placements[0])
    with caplog.at_level(logging.WARNING, logger="security.tokens"):
        for attempt in range(6):
            response = client.get(reverse("surveys:token_enter", args=[f"guess-{attempt}"]), REMOTE_ADDR="203.0.113.5")
            assert response.status_code == 404
    assert sum("Rejected survey token from 203.0.113.5" in r.message for r in caplog.records) == 6
    ours = [r for r in caplog.records if r.name == "security.tokens"]
    assert ours and all("guess-" not in r.getMessage() for r in ours)  # a fingerprint, never the token
    blocked = client.get(reverse("surveys:token_enter", args=[good]), REMOTE_ADDR="203.0.113.5")
    assert blocked.status_code == 429
    other = client.get(reverse("surveys:token_enter", args=[good]), REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 302


def test_a_whole_class_on_one_network_is_never_throttled(client, week, settings):
    settings.REJECTED_TOKEN_RATE = "5/10m"
    surveys, placements = week
    for placement in placements:
        response = client.get(
            reverse("surveys:token_enter", args=[token_for(surveys["pre"], placement)]), REMOTE_ADDR="192.0.2.1"
        )
        assert response.status_code == 302


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/consent/not-a-real-token/", "consent"),
        ("/invitations/not-a-real-token/", "invitation"),
        ("/certificates/s/not-a-real-token/", "certificate"),
        ("/joining/not-a-real-token/", "joining"),
    ],
)
def test_other_token_links_log_rejections_and_refuse_after_the_limit(client, db, settings, caplog, url, kind):
    settings.REJECTED_TOKEN_RATE = "3/10m"
    with caplog.at_level(logging.WARNING, logger="security.tokens"):
        for _ in range(4):
            response = client.get(url, REMOTE_ADDR="203.0.113.77", follow=True)
            assert response.status_code in (404, 410)
    assert any(f"Rejected {kind} token" in r.message for r in caplog.records)
    assert client.get(url, REMOTE_ADDR="203.0.113.77").status_code == 429
