"""Sharing the practice report and the trends page with someone outside the force, by an expiring link."""

import hashlib
import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from core.log_filters import redact
from placements.demo import story_for
from placements.models import Programme
from reports.models import ShareLink
from reports.selectors import report_for
from schools.models import Nomination

from .factories import ShareLinkFactory, finished_programme

LINK = re.compile(r'value="https?://[^"/]+(/shared/([^"/]+)/)"')


def _words(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _make(client, **data):
    data.setdefault("expires_on", (timezone.localdate() + timedelta(days=30)).isoformat())
    response = client.post("/reports/sharing/", data)
    assert response.status_code == 200, _words(response)
    path, token = LINK.search(response.content.decode()).groups()
    return path, token


def test_a_trends_link_shows_the_force_figures_to_anyone_holding_it(force_a, coordinator, client_for):
    finished_programme(force_a, year=2025, students=9, send=6, mentored=5)
    path, token = _make(client_for(coordinator), what="trends", label="Workforce Development")
    link = ShareLink.objects.get()
    assert link.programme is None and link.label == "Workforce Development"
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    # The token itself is kept nowhere: not on the row, not in the trail.
    assert token not in str(list(ShareLink.objects.values())) and token not in str(list(LogEntry.objects.values()))
    entry = LogEntry.objects.get(additional_data__action="Shared by link")
    assert (
        entry.additional_data["force"] == force_a.pk
        and entry.object_repr == "Link to the force's trends for Workforce Development"
    )

    sponsor = Client()
    response = sponsor.get(path)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow" and response["Referrer-Policy"] == "no-referrer"
    text = _words(response)
    assert f"Trends across years: {force_a.name}" in text and "Shared by" in text
    assert "Your force beside the national picture" not in text  # the comparison stays with the coordinator
    for nomination in Nomination.objects.filter(programme__force=force_a):
        assert nomination.first_name not in text and nomination.last_name not in text
    link.refresh_from_db()
    assert link.times_opened == 1 and link.last_opened_at is not None
    assert sponsor.get(f"/shared/{token}/report.pdf").status_code == 404  # trends are a page, not a document


@pytest.fixture
def demo(db):
    with open("/dev/null", "w") as sink:
        call_command("seed_demo", stdout=sink)
    week = Programme.objects.get(title=story_for(None).completed.title)
    coordinator = Client()
    coordinator.force_login(get_user_model().objects.get(username="coordinator"))
    return week, coordinator


def test_a_practice_report_link_leaves_out_the_quotes_unless_the_coordinator_chose_them(demo):
    week, coordinator = demo
    quotes = list(report_for(week).quotes.values_list("value_text", flat=True))
    assert quotes  # the demo report quotes the students

    path, _token = _make(coordinator, what=str(week.pk))
    text = _words(Client().get(path))
    assert "Practice report" in text and "Approachability" in text
    assert not any(quote in text for quote in quotes)

    with_quotes, token = _make(coordinator, what=str(week.pk), include_quotes="on", label="Sponsor")
    text = _words(Client().get(with_quotes))
    assert all(" ".join(quote.split()) in text for quote in quotes)
    for nomination in Nomination.objects.filter(programme=week):
        assert not re.search(rf"\b{re.escape(nomination.full_name)}\b", text)
    pdf = Client().get(f"/shared/{token}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_an_expired_or_stopped_link_says_so_plainly_and_shows_nothing(force_a, coordinator, client_for):
    finished_programme(force_a, year=2025, students=9)
    client = client_for(coordinator)
    path, token = _make(client, what="trends")
    link = ShareLink.objects.get()

    ShareLink.objects.filter(pk=link.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    response = Client().get(path)
    assert response.status_code == 410 and "This link has ended" in _words(response)
    assert force_a.name not in _words(response).replace("Police work experience", "")
    assert Client().get(f"/shared/{token}/report.pdf").status_code == 410

    ShareLink.objects.filter(pk=link.pk).update(expires_on=timezone.localdate())  # works to the end of its last day
    assert Client().get(path).status_code == 200
    assert client.post(f"/reports/sharing/{link.pk}/stop/").url == "/reports/sharing/"
    response = Client().get(path)
    assert response.status_code == 410 and "This link has been withdrawn" in _words(response)
    assert LogEntry.objects.filter(additional_data__action="Shared link stopped").count() == 1
    client.post(f"/reports/sharing/{link.pk}/stop/")  # again: nothing more happens
    assert LogEntry.objects.filter(additional_data__action="Shared link stopped").count() == 1
    assert "Stopped" in _words(client.get("/reports/sharing/"))


def test_a_wrong_token_is_not_found_and_no_log_line_keeps_a_token(force_a, coordinator, client_for, caplog):
    response = Client().get("/shared/not-a-real-token/")
    assert response.status_code == 404 and "This link does not work" in _words(response)
    assert "Rejected shared report token" in caplog.text
    # Django logs the path of a 404 or 410; every handler's filter takes the token out.
    path, token = _make(client_for(coordinator), what="trends")
    ShareLink.objects.update(revoked_at=timezone.now())
    assert Client().get(path).status_code == 410
    assert "Gone: /shared/[redacted]/" in caplog.text
    assert "not-a-real-token" not in caplog.text and token not in caplog.text
    assert (
        redact(f"GET https://example.org/shared/{token}/report.pdf")
        == "GET https://example.org/shared/[redacted]/report.pdf"
    )


def test_another_force_cannot_stop_or_see_a_link(force_a, coordinator_b, client_for, contact):
    link = ShareLinkFactory(force=force_a)
    assert client_for(coordinator_b).post(f"/reports/sharing/{link.pk}/stop/").status_code == 404
    assert client_for(contact).post(f"/reports/sharing/{link.pk}/stop/").status_code == 403
    assert client_for(coordinator_b).get(f"/reports/sharing/{link.pk}/stop/").status_code == 405
    link.refresh_from_db()
    assert link.revoked_at is None
    assert "Sponsor" not in _words(client_for(coordinator_b).get("/reports/sharing/"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"what": "trends", "expires_on": "2020-01-01"}, "Choose a last day from today on."),
        ({"what": "trends", "expires_on": "2099-01-01"}, "Choose a last day within a year from today."),
        ({"what": "trends", "expires_on": "31-02-2027"}, "as a real date"),
        ({"what": "trends"}, "Enter"),
        ({"what": "99999999", "expires_on": "tomorrow"}, "Choose what the link opens."),
        ({"what": "", "expires_on": "tomorrow"}, "Choose what the link opens."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(force_a, coordinator, client_for, data, message):
    data = {
        k: (timezone.localdate() + timedelta(days=1)).isoformat() if v == "tomorrow" else v for k, v in data.items()
    }
    response = client_for(coordinator).post("/reports/sharing/", data)
    assert response.status_code == 400 and message in _words(response)
    assert not ShareLink.objects.exists()


def test_another_forces_programme_cannot_be_shared(force_a, programme_b, coordinator, client_for):
    response = client_for(coordinator).post(
        "/reports/sharing/",
        {"what": str(programme_b.pk), "expires_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 400 and not ShareLink.objects.exists()


def test_only_coordinators_make_links(client_for, contact, lead, mentor):
    for user in (contact, lead, mentor):
        assert client_for(user).post("/reports/sharing/", {"what": "trends"}).status_code == 403
    assert client_for(None).get("/reports/sharing/").status_code == 302
    assert not ShareLink.objects.exists()
