"""The national role and the national picture: anonymised totals across the forces that choose to share."""

import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.scoping import scope_for, scoped
from placements.demo import story_for
from placements.models import Programme
from reports import trends
from reports.models import NationalSharing
from schools.models import Institution, Nomination
from tests import factories as f

from .factories import NationalSharingFactory, finished_programme


def _words(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def national_user(username="national"):
    user = f.UserFactory(username=username)
    user.user_permissions.add(Permission.objects.get(codename="national_figures", content_type__app_label="accounts"))
    return type(user).objects.get(pk=user.pk)  # a fresh row: no cached permissions


@pytest.fixture
def national(db):
    return national_user()


def sharing_force(name, *, year=2025, **figures):
    force = f.ForceFactory(name=name)
    NationalSharingFactory(force=force, opted_in=True)
    finished_programme(force, year=year, **figures)
    return force


# --- the role -------------------------------------------------------------------------------


def test_the_national_role_belongs_to_no_force_and_sees_no_record(national, force_a, programme_a):
    f.PlacementFactory(programme=programme_a)
    scope = scope_for(national)
    assert scope.is_national and scope.roles == ["national"]
    assert not scope.is_coordinator and not scope.force_ids
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.app_label in {"placements", "schools", "surveys", "mentoring", "certificates", "reports"}:
            assert not scoped(national, model).exists(), model._meta.label


def test_someone_of_a_force_or_school_is_never_also_the_national_role(force_a, school_a):
    coordinator = national_user("coord-national")
    f.ForcePersonFactory(force=force_a, user=coordinator, is_coordinator=True)
    contact = national_user("contact-national")
    f.InstitutionContactFactory(institution=school_a, user=contact)
    assert not scope_for(coordinator).is_national and scope_for(coordinator).is_coordinator
    assert not scope_for(contact).is_national
    assert not scope_for(f.UserFactory(username="root", is_superuser=True, is_staff=True)).is_national


def test_the_national_user_starts_on_the_national_picture(national, client_for):
    client = client_for(national)
    assert client.get("/").url == "/reports/national/"
    page = client.get("/reports/national/").content.decode()
    assert 'href="/reports/national/"' in page and 'href="/placements/' not in page


def test_only_the_national_role_opens_the_national_picture(client_for, coordinator, contact, lead, mentor, national):
    assert client_for(None).get("/reports/national/").status_code == 302
    for user in (coordinator, contact, lead, mentor):
        assert client_for(user).get("/reports/national/").status_code == 403
    assert client_for(national).get("/reports/national/").status_code == 200


def test_the_national_user_is_refused_every_other_page_like_someone_with_no_role(db, settings, monkeypatch):
    """Every URL of the project, with the role × URL matrix's world: the national user gets exactly what a
    signed-in user with no role gets, except the national picture itself."""
    from tests.trust.test_url_matrix import enumerate_urls, outcome, url_for
    from tests.trust.world import build_world

    settings.RATELIMIT_ENABLE = False
    monkeypatch.setattr("core.views._check_worker", lambda: "ok")
    world = build_world()
    nobody, person = Client(), Client()
    nobody.force_login(f.UserFactory(username="no-role"))
    person.force_login(national_user())
    differ = {}
    for name, entry in sorted(enumerate_urls().items()):
        url = url_for(name, entry, world)
        got, baseline = outcome(person.get(url)), outcome(nobody.get(url))
        if got != baseline:
            differ[name] = (baseline, got)
    assert differ == {"accounts:home": ("200", "302"), "reports:national": ("403", "200")}


# --- the figures ----------------------------------------------------------------------------


def test_national_totals_count_only_forces_that_share_and_name_none(db):
    sharing_force("Alpha Police", students=10, send=6, mentored=5, paired=6, spent=Decimal("1000"))
    sharing_force("Bravo Police", students=8, send=5, mentored=5, paired=6, spent=Decimal("1600"))
    sharing_force("Charlie Police", students=7, send=0, applied=2, paired=6, spent=Decimal("700"))
    quiet = f.ForceFactory(name="Delta Police")
    finished_programme(quiet, year=2025, students=30, send=30)
    NationalSharingFactory(force=quiet, opted_in=False)

    figures = trends.national_figures()
    [year] = figures["years"]
    assert figures["forces_sharing"] == 3
    assert (year["forces"], year["programmes"], year["students"]) == (3, 3, 25)
    assert year["cells"]["send"]["count"] == 11  # Delta's thirty are not counted
    assert year["cells"]["applied"]["text"] == "fewer than 5"
    assert year["cells"]["mentored"]["count"] == 10
    assert year["survey_change_text"] == "+33.3%" and year["survey_n"] == 18
    assert year["cost_per_student"] == Decimal("132")  # £3,300 over 25 students
    assert figures["all"] is None  # one year: its total would only repeat it


def test_a_year_with_fewer_than_three_sharing_forces_is_withheld_and_says_so(db, client_for):
    sharing_force("Alpha Police", students=10, send=6)
    sharing_force("Bravo Police", students=10, send=6)
    figures = trends.national_figures()
    assert figures["years"] == [] and figures["withheld_years"] == [2025]
    page = _words(client_for(national_user()).get("/reports/national/"))
    assert "2 forces share their figures" in page
    assert "Not shown, because fewer than 3 sharing forces ran a programme then: 2025." in page
    assert "There are no national figures to show yet" in page


def test_no_one_who_knows_a_forces_own_figures_can_work_out_the_others_few(db):
    alpha = sharing_force("Alpha Police", students=10, send=9)
    sharing_force("Bravo Police", students=8, send=2)
    sharing_force("Charlie Police", students=8, send=1)
    # Nationally 12 from special schools; but Alpha's coordinator (or a sponsor Alpha shared its trends
    # with) knows Alpha's 9, and 12 − 9 = 3 would be the other forces' few: so it is hidden for everyone.
    [year] = trends.national_figures()["years"]
    assert year["students"] == 26
    assert year["cells"]["send"]["count"] is None and year["cells"]["send"]["text"] == "not shown"
    [compared] = trends.national_for_force(alpha)["years"]
    assert compared["cells"]["send"]["count"] is None


def test_the_same_figures_are_shown_when_no_force_could_give_the_others_away(db):
    sharing_force("Alpha Police", students=10, send=6)
    sharing_force("Bravo Police", students=10, send=5)
    sharing_force("Charlie Police", students=10, send=7)
    [year] = trends.national_figures()["years"]
    assert year["cells"]["send"]["count"] == 18


def test_a_year_whose_other_forces_had_too_few_students_is_left_out(db):
    sharing_force("Alpha Police", students=30)
    sharing_force("Bravo Police", students=2)
    sharing_force("Charlie Police", students=2)
    figures = trends.national_figures()
    assert figures["years"] == [] and figures["withheld_years"] == [2025]


def test_the_other_forces_mean_change_is_not_given_away(db):
    mine = sharing_force("Alpha Police", students=10, paired=10)
    sharing_force("Bravo Police", students=6, paired=0)
    sharing_force("Charlie Police", students=6, paired=0)
    # The others answered nothing, so the national change is Alpha's own: nothing of theirs to give away.
    assert trends.national_figures()["years"][0]["survey_change_text"] == "+33.3%"
    finished_programme(f.ForceFactory(), year=2025, students=3, paired=3)  # not sharing: no effect
    assert trends.national_for_force(mine)["years"][0]["survey_change_text"] == "+33.3%"
    # Another force's two pairs would follow from the national change less Alpha's, so a programme under
    # five pairs counts nowhere: the change stays Alpha's, from Alpha's ten pairs.
    sharing_force("Delta Police", students=6, paired=2)
    [year] = trends.national_figures()["years"]
    assert (year["survey_change_text"], year["survey_n"]) == ("+33.3%", 10)


def test_the_demo_force_alone_shares_and_the_national_picture_says_so(db):
    with open("/dev/null", "w") as sink:
        call_command("seed_demo", stdout=sink)
    assert NationalSharing.objects.get().opted_in
    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="national"))
    page = _words(client.get("/reports/national/"))
    assert "1 force shares its figures" in page
    assert "There are no national figures to show yet" in page
    coordinator = Client()
    coordinator.force_login(get_user_model().objects.get(username="coordinator"))
    trends_page = coordinator.get("/reports/trends/").content.decode()
    assert "Your force shares its figures" in trends_page
    assert "There are no national figures to compare with yet" in trends_page


def _formats(day):
    return {day.isoformat(), day.strftime("%d/%m/%Y"), f"{day.day} {day:%B %Y}", f"{day:%B} {day.day}, {day.year}"}


def test_the_national_picture_shows_no_personal_data_of_any_demo_student(db):
    with open("/dev/null", "w") as sink:
        call_command("seed_demo", stdout=sink)
    week = Programme.objects.get(title=story_for(None).completed.title)
    year = week.start_date.year
    # Two more forces share, so the demo force's finished week is part of a year that is shown.
    sharing_force("Bravo Police", year=year, students=8, send=5, mentored=5, paired=6)
    sharing_force("Charlie Police", year=year, students=9, send=5, mentored=6, paired=6)
    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="national"))
    page = client.get("/reports/national/").content.decode()
    # The demo week's students are in the figures (or the scan below would prove nothing).
    demo_students = week.placements.filter(status="confirmed").count()
    assert f'data-label="Students">{demo_students + 17}<' in page

    text = re.sub(r"<[^>]+>", " ", page)
    found = []
    for nomination in Nomination.objects.filter(programme__force=week.force).select_related("institution"):
        for value in (nomination.first_name, nomination.last_name, nomination.full_name):
            if value and re.search(rf"\b{re.escape(value)}\b", text):
                found.append(value)
        for value in _formats(nomination.date_of_birth):
            if value in text:
                found.append(value)
    for name in Institution.objects.values_list("name", flat=True):
        if name in text:
            found.append(name)
    for name in ("Bravo Police", "Charlie Police", week.force.name, week.title):
        if name in text:
            found.append(name)
    assert found == []


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_national_picture_costs_the_same_queries_however_many_forces(db):
    client = Client()
    client.force_login(national_user())
    for name in ("A", "B", "C"):
        sharing_force(f"{name} Police", students=6, send=5, mentored=5, paired=5, spent=Decimal("600"))
    before = _queries(client, "/reports/national/")
    for name in ("D", "E", "F", "G", "H"):
        sharing_force(f"{name} Police", year=2024, students=7, send=5, mentored=6, paired=5, spent=Decimal("700"))
        sharing_force(f"{name}2 Police", students=7, send=5, mentored=6, paired=5, spent=Decimal("700"))
    after = _queries(client, "/reports/national/")
    assert trends.national_figures()["forces_sharing"] == 13
    assert after == before


# --- the opt-in -----------------------------------------------------------------------------


def test_the_coordinator_opts_in_and_out_in_plain_words_and_it_is_audited(coordinator, force_a, client_for):
    client = client_for(coordinator)
    page = client.get("/reports/national/sharing/").content.decode()
    assert "never see a child's name" in page
    assert client.post("/reports/national/sharing/", {"opted_in": "yes"}).url == "/reports/trends/"
    assert NationalSharing.objects.get(force=force_a).opted_in
    client.post("/reports/national/sharing/", {"opted_in": "no"})
    assert not NationalSharing.objects.get(force=force_a).opted_in
    actions = list(LogEntry.objects.order_by("pk").values_list("additional_data__action", "additional_data__force"))
    assert actions == [
        ("Force's figures added to the national picture", force_a.pk),
        ("Force's figures taken out of the national picture", force_a.pk),
    ]


def test_the_opt_in_refuses_bad_input_and_other_roles(coordinator, force_a, client_for, contact, lead, national):
    client = client_for(coordinator)
    for data in ({}, {"opted_in": "maybe"}, {"opted_in": ""}):
        response = client.post("/reports/national/sharing/", data)
        assert response.status_code == 400 and "Choose yes or no." in response.content.decode()
    assert not NationalSharing.objects.exists()
    for user in (contact, lead, national):
        assert client_for(user).post("/reports/national/sharing/", {"opted_in": "yes"}).status_code == 403
    assert not NationalSharing.objects.exists()


def test_a_coordinator_changes_only_their_own_force(coordinator_b, force_a, force_b, client_for):
    client_for(coordinator_b).post("/reports/national/sharing/", {"opted_in": "yes"})
    assert list(NationalSharing.objects.values_list("force", "opted_in")) == [(force_b.pk, True)]


@pytest.mark.parametrize("seed", range(4))
def test_random_forces_never_give_a_small_group_away_even_to_one_who_knows_a_force(db, seed):
    """Against the published national rows, with every figure of one sharing force known exactly, no group
    of the other forces' students under five (nor any small hidden national cell) can be worked out."""
    import random

    from reports import reach

    rng = random.Random(seed)
    for number in range(4):
        force = f.ForceFactory(name=f"Force {seed}-{number}")
        NationalSharingFactory(force=force)
        for year in (2024, 2025):
            n = rng.randint(4, 12)
            finished_programme(
                force,
                year=year,
                students=n,
                send=rng.randint(0, n),
                first=rng.randint(0, n),
                mentored=rng.randint(0, n),
                applied=rng.randint(0, 3),
                title=f"W{year}",
            )
    figures = trends.national_figures()
    rows = figures["years"] + ([figures["all"]] if figures["all"] else [])
    assert rows  # four forces each year: something is shown
    groups = trends._programme_groups(trends.finished_programmes(trends.sharing_forces()), reach.THRESHOLD)
    by_key = {y.key: y for y in trends._by_year(groups, prefix="n")}
    if figures["all"]:
        by_key["nall"] = trends.Group(key="nall", label="")
        for row in figures["years"]:
            by_key["nall"].add(by_key[row["key"]])
    population = set().union(*(g.students for g in groups))
    for row in rows:
        for key in trends.KEYS:
            count = row["cells"][key]["count"]
            assert count is None or count == 0 or count >= reach.THRESHOLD
    for force_id in trends.sharing_forces():
        own = [g for g in groups if force_id in g.forces]
        for key in trends.KEYS:
            tables, known, protect = [], [], []
            for row in rows:
                group = by_key[row["key"]]
                members = frozenset(group.sets[key])
                other = group.sets.get(f"not_{key}", set()) if key in trends.REACH_KEYS else set()
                small = 0 < len(members) < reach.THRESHOLD or 0 < len(other) < reach.THRESHOLD
                hidden = "" if row["cells"][key]["count"] is not None else (reach.SMALL if small else reach.SECONDARY)
                atoms = frozenset((pid, key, 1) for pid in group.pids)
                if members or other:
                    tables.append(reach.Table(row["key"], key, (reach.Cell(key, members or other, hidden, atoms),), 0))
                known.append({(pid, key, v) for pid in group.pids for v in (0, 1)})
                rest = trends._minus(group, [g for g in own if g.pids <= group.pids])
                protect.append((rest.sets[key], {(pid, key, 1) for pid in rest.pids}))
                if key in trends.REACH_KEYS:
                    protect.append((rest.sets[f"not_{key}"], {(pid, key, 0) for pid in rest.pids}))
            known += [{(g.programme_id, key, v)} for g in own for v in (0, 1)]
            assert reach.recoverable(tables, population, known=known, protect=protect) == [], (force_id, key)
