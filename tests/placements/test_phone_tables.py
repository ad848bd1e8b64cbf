"""Coordinator tables read on a phone: each is a `table-stack` (on a narrow screen every row becomes a card) and
every body cell carries its column's name in `data-label`, so the card can say what each value is.

The pages are the demo's (the seed fills every table), read by its coordinator. The CSS is checked by eye in
screenshots and by tests/browser/test_every_page.py (nothing wider than a 390 px screen); here the markup is.
"""

import io

import lxml.html
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from placements.demo import story_for
from placements.models import Programme, Session


def _text(element):
    return " ".join(element.text_content().split())


def _problems(table):
    """What keeps `table` from reading as labelled cards on a phone (and as a table to a screen reader)."""
    found = []
    if "table-stack" not in table.get("class", "").split() or table.get("role") != "table":
        found.append("not a table-stack with role=table")
    headers = table.xpath("./thead/tr/th")
    if not headers or any(th.get("role") != "columnheader" for th in headers):
        found.append("column headings without role=columnheader")
    rows = table.xpath("./tbody/tr")
    if not rows:
        found.append("no rows (the demo should fill it)")
    for row in rows:
        cells = row.xpath("./th|./td")
        if row.get("role") != "row" or len(cells) != len(headers):
            found.append(f"row {_text(row)[:40]!r}: role or cell count does not match the headings")
            continue
        for header, cell in zip(headers, cells, strict=True):
            if cell.tag == "th":
                if cell.get("role") != "rowheader":
                    found.append(f"row heading {_text(cell)[:30]!r} without role=rowheader")
                continue
            label = cell.get("data-label")
            heading = _text(header)
            if cell.get("role") != "cell" or label is None:
                found.append(f"cell {_text(cell)[:30]!r} without role=cell and a data-label")
            elif label == "" and not header.xpath(".//*[contains(@class, 'visually-hidden')]"):
                found.append(f"cell under {heading!r} has an empty label")
            elif label and not heading.startswith(label):
                found.append(f"cell labelled {label!r} sits under {heading!r}")
    return found


def _departments_on(programme):
    """One table per department, and per community partner, with a planned session in the week."""
    sessions = Session.objects.filter(programme=programme, status=Session.Status.PLANNED).select_related(
        "activity__department"
    )
    return len(
        {
            s.activity.department.name if s.activity.department else (s.activity.community_partner or "partner")
            for s in sessions
        }
    )


def _booked_department(programme):
    session = Session.objects.filter(programme=programme, activity__department__isnull=False).first()
    return session.activity.department_id


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    assert client.login(username="coordinator", password="police-demo-2026")
    return client


def test_every_coordinator_table_becomes_labelled_cards_on_a_phone(demo):
    story = story_for(None)
    finished = Programme.objects.get(title=story.completed.title)
    running = Programme.objects.get(title=story.running.title)
    taking_nominations = Programme.objects.get(title=story.intake.title)
    pages = {
        reverse("placements:programme_list"): 1,
        reverse("placements:attendance", args=[finished.pk]): 1,
        reverse("placements:attendance", args=[running.pk]): 1,
        reverse("placements:budget", args=[finished.pk]): 2,  # spending by category; staff hours
        reverse("placements:department_schedule", args=[running.pk]): _departments_on(running),
        reverse("placements:activities", args=[running.pk]): 1,
        reverse("placements:people"): 1,
        reverse("placements:departments"): 1,
        reverse("placements:department_edit", args=[_booked_department(running)]): 1,  # its bookings
        reverse("schools:review", args=[taking_nominations.pk]): 1,
        reverse("schools:allocations", args=[taking_nominations.pk]): 1,
        reverse("mentoring:dashboard"): 3,  # mentors; contacts against the cadence; the pipeline's figures
    }
    problems = {}
    for url, expected in pages.items():
        response = demo.get(url)
        assert response.status_code == 200, url
        tables = lxml.html.fromstring(response.content).xpath("//table")
        if len(tables) != expected:
            problems[url] = [f"{len(tables)} tables, expected {expected}"]
        for table in tables:
            if found := _problems(table):
                problems[f"{url} {_text(table.xpath('./caption')[0]) if table.xpath('./caption') else ''}"] = found
    assert problems == {}


def test_the_attendance_card_names_each_day_beside_its_mark(demo):
    story = story_for(None)
    finished = Programme.objects.get(title=story.completed.title)
    page = lxml.html.fromstring(demo.get(reverse("placements:attendance", args=[finished.pk])).content)
    days = [_text(th) for th in page.xpath("//table/thead/tr/th")][2:-1]
    assert days[0] == finished.start_date.strftime("%a ") + str(finished.start_date.day)
    for row in page.xpath("//table/tbody/tr"):
        marks = row.xpath("./td[contains(@class, 'attendance-day')]")
        assert [td.get("data-label") for td in marks] == days
        # A mark is a letter to the eye and a word to a screen reader.
        assert all(_text(td.xpath(".//span[@class='visually-hidden']")[0]) for td in marks)


def test_forms_inside_the_activity_cards_post_what_they_did(demo):
    story = story_for(None)
    running = Programme.objects.get(title=story.running.title)
    page = lxml.html.fromstring(demo.get(reverse("placements:activities", args=[running.pk])).content)
    buttons = page.xpath("//table/tbody/tr/td//form/button")
    assert buttons and {(b.get("name"), b.get("value")) for b in buttons} <= {("in_use", "no"), ("in_use", "yes")}
