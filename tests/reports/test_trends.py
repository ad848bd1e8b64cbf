"""A force's trends across years and programmes: the figures, their suppression, the page, the export."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from reports import reach, trends
from tests import factories as f

from .factories import finished_programme


def _groups(figures):
    groups = {g.key: g for g in figures["_groups"] + figures["_years"]}
    if figures["all"]:
        everyone = trends.Group(key="all", label="")
        for year in figures["_years"]:
            everyone.add(year)
        groups["all"] = everyone
    return groups


def _reader_tables(rows, groups, key):
    """One figure of every row as a reader sees it (shown or hidden), over the kinds of student it counts:
    (programme, this figure, yes or no), so a figure counts as worked out only if it follows whatever the
    students are. A split's other half is the row's total less this figure, so a hidden figure counts as
    small when either half is."""
    tables, known = [], []
    for row in rows:
        group = groups[row["key"]]
        cell = row["cells"][key]
        members = frozenset(group.sets[key])
        other = group.sets.get(f"not_{key}", set()) if key in trends.REACH_KEYS else set()
        small = 0 < len(members) < reach.THRESHOLD or 0 < len(other) < reach.THRESHOLD
        hidden = "" if cell["count"] is not None else (reach.SMALL if small else reach.SECONDARY)
        atoms = frozenset((pid, key, 1) for pid in group.pids)
        if members or other:
            tables.append(
                reach.Table(row["key"], key, (reach.Cell(key, members or other, hidden, atoms),), len(group.students))
            )
        known.append({(pid, key, value) for pid in group.pids for value in (0, 1)})
        if cell["count"] is not None:
            assert cell["count"] == len(members), (row["label"], key)
    return tables, known


def _assert_nothing_small_published_or_recoverable(figures):
    rows = figures["programmes"] + figures["years"] + ([figures["all"]] if figures["all"] else [])
    groups = _groups(figures)
    population = set().union(*(g.students for g in groups.values()))
    for row in rows:
        for key in trends.KEYS:
            count = row["cells"][key]["count"]
            assert count is None or count == 0 or count >= reach.THRESHOLD, (row["label"], key, count)
    for key in trends.KEYS:
        tables, known = _reader_tables(rows, groups, key)
        assert reach.recoverable(tables, population, known=known) == [], key


def test_figures_per_programme_and_year_with_small_cells_hidden(force_a):
    finished_programme(
        force_a, year=2024, students=12, send=3, deprived=6, mentored=7, applied=2, paired=10, spent=Decimal("2400")
    )
    finished_programme(
        force_a, year=2025, students=10, send=6, deprived=5, first=5, mentored=5, paired=4, spent=Decimal("1500")
    )
    figures = trends.force_trends(force_a)

    first, second = figures["programmes"]
    assert (first["students"], first["places"], second["students"]) == (12, 14, 10)
    assert first["cells"]["send"]["text"] == "fewer than 5"  # 3 students
    assert first["cells"]["deprived"]["text"] == "6" and first["cells"]["deprived"]["pct_text"] == "50%"
    assert first["cells"]["applied"]["text"] == "fewer than 5"  # 2 students
    assert first["cells"]["mentored"]["count"] == 7
    assert first["survey_change_text"] == "+33.3%"  # 3 → 4 for the ten who answered both
    assert second["survey_change"] is None  # only four pairs: a mean of a few children is theirs alone
    assert first["cost_per_student"] == Decimal("200") and second["cost_per_student"] == Decimal("150")
    assert [y["label"] for y in figures["years"]] == ["2024", "2025"]
    assert figures["all"]["students"] == 22
    # Every year's change pools only the programmes shown on their own.
    assert figures["all"]["survey_change_text"] == "+33.3%" and figures["all"]["survey_n"] == 10
    _assert_nothing_small_published_or_recoverable(figures)


def test_a_small_cell_cannot_be_worked_out_from_the_year_and_the_other_programme(force_a):
    # One year, two programmes: SEND 3 and 6. The year's 9 less the second's 6 would give the first's 3 back.
    finished_programme(force_a, year=2025, students=10, send=3, title="Spring week")
    finished_programme(force_a, year=2025, students=10, send=6, title="Summer week")
    figures = trends.force_trends(force_a)
    spring, summer = figures["programmes"]
    [year] = figures["years"]
    assert spring["cells"]["send"]["count"] is None
    assert not (summer["cells"]["send"]["count"] is not None and year["cells"]["send"]["count"] is not None)
    _assert_nothing_small_published_or_recoverable(figures)


@pytest.mark.parametrize("seed", range(6))
def test_random_forces_never_publish_or_leak_a_small_cell(force_a, seed):
    import random

    rng = random.Random(seed)
    for year in (2023, 2024, 2025):
        for _ in range(rng.randint(1, 2)):
            n = rng.randint(3, 14)
            finished_programme(
                force_a,
                year=year,
                students=n,
                send=rng.randint(0, n),
                deprived=0,
                first=rng.randint(0, n),
                mentored=rng.randint(0, n),
                applied=rng.randint(0, n),
                title=f"Week {rng.random()}",
            )
    _assert_nothing_small_published_or_recoverable(trends.force_trends(force_a))


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/reports/trends/", "/reports/trends/export.csv", "/reports/trends/export.xlsx"])
def test_the_trends_page_costs_the_same_queries_however_many_programmes(force_a, coordinator, client_for, url):
    client = client_for(coordinator)
    finished_programme(force_a, year=2024, students=6, send=5, mentored=5, paired=5, spent=Decimal("600"))
    before = _queries(client, url)
    for year in (2022, 2023, 2025, 2025):
        finished_programme(
            force_a,
            year=year,
            students=7,
            send=5,
            mentored=6,
            applied=5,
            paired=6,
            spent=Decimal("700"),
            title=f"W{year}",
        )
    after = _queries(client, url)
    assert trends.force_trends(force_a)["all"]["students"] == 6 + 4 * 7  # the larger force is larger
    assert after == before


def test_the_page_shows_charts_tables_and_words_without_script(force_a, coordinator, client_for):
    finished_programme(force_a, year=2024, students=12, send=6, mentored=6, paired=8, spent=Decimal("1200"))
    finished_programme(force_a, year=2025, students=10, send=5, mentored=5, paired=8, spent=Decimal("1500"))
    page = client_for(coordinator).get("/reports/trends/").content.decode()
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == 4 and not any("<script" in svg for svg in svgs)
    assert 'role="img"' in page and "The same numbers are in the table below" in page
    assert "Students who took part: 10 in 2025, down from 12 in 2024." in page
    assert "The cost per student: £150 in 2025, up from £100 in 2024." in page
    assert 'href="/surveys/force/"' in page  # every survey question across years lives there, not here
    assert "table-stack" in page and 'data-label="Cost per student"' in page
    assert "One year so far" not in page


def test_one_year_is_a_table_and_a_sentence_not_a_lone_bar(force_a, coordinator, client_for):
    finished_programme(force_a, year=2025, students=10, send=5, mentored=5, paired=8, spent=Decimal("1500"))
    page = client_for(coordinator).get("/reports/trends/").content.decode()
    assert re.findall(r"<svg.*?</svg>", page, re.S) == []
    assert page.count("One year so far, so there is no chart yet") == 4
    assert "Students who took part: 10 in 2025." in page and 'data-label="Cost per student"' in page


def test_another_force_sees_its_own_trends_only(force_a, force_b, coordinator_b, client_for):
    finished_programme(force_a, year=2025, students=9, title="Force A week")
    page = client_for(coordinator_b).get("/reports/trends/").content.decode()
    assert "Force A week" not in page and "No programme has finished yet" in page


def test_export_is_the_published_figures_with_formulas_made_harmless(force_a, coordinator, client_for):
    finished_programme(force_a, year=2025, students=9, send=2, title='=HYPERLINK("http://evil")')
    client = client_for(coordinator)
    body = b"".join(client.get("/reports/trends/export.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[1][4] == "fewer than 5"
    workbook = load_workbook(io.BytesIO(client.get("/reports/trends/export.xlsx").content))
    sheet = workbook.active
    assert sheet.cell(row=2, column=2).value.startswith("'=HYPERLINK")
    assert sheet.cell(row=2, column=4).value == 9
    assert client.get("/reports/trends/export.pdf").status_code == 404


def test_pages_for_coordinators_only(client_for, contact, lead, mentor):
    for user in (None, contact, lead, mentor):
        response = client_for(user).get("/reports/trends/")
        assert response.status_code == (302 if user is None else 403)


def test_an_unfinished_or_cancelled_programme_is_left_out(force_a):
    finished_programme(force_a, year=2025, students=6)
    f.ProgrammeFactory(force=force_a, title="Next year")  # 2027: not finished
    cancelled, _ = finished_programme(force_a, year=2024, students=6, title="Called off")
    cancelled.status = "cancelled"
    cancelled.save()
    assert [p["label"] for p in trends.force_trends(force_a)["programmes"]] == [f"{force_a.name} week 2025"]
