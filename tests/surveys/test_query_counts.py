"""Survey pages run as many queries with a lot of data as with a little (more programmes, years, students, answers)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.services import responses_import_csv, survey_setup_programme
from tests import factories as f

from .conftest import make_week, token_for

pytestmark = pytest.mark.django_db


def queries(client, url):
    """The number of queries one GET of `url` runs (after a first GET, so nothing is warmed up on the way)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def answered_week(force, title, year, *, students, activities=()):
    """A programme whose students all answered before and after (likert, yes/no, choice and activity ratings)."""
    programme = f.ProgrammeFactory(
        force=force,
        title=title,
        start_date=date(year, 7, 12),
        end_date=date(year, 7, 16),
        nomination_opens=date(year, 1, 4),
        nomination_closes=date(year, 4, 30),
    )
    _surveys, placements = make_week(programme, students=students, activities=activities)
    rows = ["placement,phase,question,answer"]
    for number, placement in enumerate(placements):
        rows += [
            f"{placement.pk},pre,approachability,{1 + number % 4}",
            f"{placement.pk},post,approachability,{2 + number % 4}",
            f"{placement.pk},pre,trust,3",
            f"{placement.pk},post,trust,{3 + number % 3}",
            f"{placement.pk},post,perception_change,better",
            f"{placement.pk},post,would_recommend,yes",
            f"{placement.pk},post,wants_mentor,{'yes' if number % 2 else 'no'}",
            *(f"{placement.pk},post,activity:{slug},{1 + (number + 2) % 5}" for slug in activities),
        ]
    if placements:
        responses_import_csv(programme=programme, data="\n".join(rows))
    return programme, placements


def test_surveys_across_years_query_count_does_not_grow(client_for, coordinator, force_a, force_b):
    client = client_for(coordinator)
    answered_week(force_a, "Week 2024", 2024, students=2, activities=("dogs",))
    small, page = queries(client, "/surveys/force/")
    assert "Week 2024" in page
    for year in (2025, 2026, 2027):
        answered_week(force_a, f"Week {year}", year, students=6, activities=(f"drones-{year}", f"boats-{year}"))
    answered_week(force_b, "Another force's week", 2026, students=3)
    large, page = queries(client, "/surveys/force/")
    assert all(f"Week {year}" in page for year in (2024, 2025, 2026, 2027))
    assert "Another force" not in page
    assert large == small


@pytest.mark.parametrize("suffix", ["report/", "report.json", "", "import/"])
def test_programme_survey_pages_query_count_does_not_grow(client_for, coordinator, force_a, suffix):
    client = client_for(coordinator)
    programme, placements = answered_week(force_a, "This week", 2027, students=2, activities=("dogs",))
    url = f"/surveys/programme/{programme.pk}/{suffix}"
    small, _page = queries(client, url)
    # More students answering, another activity, and other programmes of the force.
    more = [f.PlacementFactory(programme=programme, syndicate=placements[0].syndicate) for _ in range(8)]
    client.post(f"/surveys/programme/{programme.pk}/setup/")  # invitations for the new students
    rows = ["placement,phase,question,answer"]
    for placement in more:
        rows += [f"{placement.pk},pre,approachability,2", f"{placement.pk},post,approachability,5"]
        rows += [f"{placement.pk},pre,fairness,3", f"{placement.pk},post,fairness,4"]
        rows += [f"{placement.pk},post,activity:dogs,4", f"{placement.pk},post,would_recommend,no"]
    responses_import_csv(programme=programme, data="\n".join(rows))
    for year in (2025, 2026):
        answered_week(force_a, f"Week {year}", year, students=3, activities=(f"drones-{year}",))
    large, _page = queries(client, url)
    assert large == small


@pytest.mark.parametrize("suffix", ["send-links/", "preview/", "preview/1/"])
def test_survey_pages_query_count_does_not_grow(client_for, coordinator, force_a, suffix):
    client = client_for(coordinator)
    programme, _placements = answered_week(force_a, "This week", 2027, students=0)
    for _ in range(2):
        placement = f.PlacementFactory(programme=programme, syndicate=None)
    f.InstitutionContactFactory(institution=placement.nomination.institution)
    client.post(f"/surveys/programme/{programme.pk}/setup/")
    survey = programme.surveys.get(phase="post")
    url = f"/surveys/{survey.pk}/{suffix}"
    small, _page = queries(client, url)
    for _ in range(6):  # students of more schools, each school with two contacts
        placement = f.PlacementFactory(programme=programme)
        f.InstitutionContactFactory(institution=placement.nomination.institution)
        f.InstitutionContactFactory(institution=placement.nomination.institution)
    client.post(f"/surveys/programme/{programme.pk}/setup/")
    large, page = queries(client, url)
    assert large == small
    if suffix == "send-links/":
        assert page.count("Teacher Contact") >= 12


def test_school_contacts_survey_list_query_count_does_not_grow(client_for, contact, school_a, force_a):
    client = client_for(contact)

    def week_with_students_of_school_a(title, year, students):
        programme = f.ProgrammeFactory(
            force=force_a,
            title=title,
            start_date=date(year, 7, 12),
            end_date=date(year, 7, 16),
            nomination_opens=date(year, 1, 4),
            nomination_closes=date(year, 4, 30),
        )
        for _ in range(students):
            nomination = f.NominationFactory(programme=programme, institution=school_a, status="accepted")
            f.PlacementFactory(programme=programme, nomination=nomination)
        make_week(programme, students=0, activities=())

    week_with_students_of_school_a("Week 2026", 2026, 1)
    small, page = queries(client, "/surveys/school/")
    assert "Week 2026" in page
    for year in (2027, 2028, 2029):
        week_with_students_of_school_a(f"Week {year}", year, 4)
    large, page = queries(client, "/surveys/school/")
    assert all(f"Week {year}" in page for year in (2026, 2027, 2028, 2029))
    assert large == small


# One request of a student page: the invitation (with its survey, programme, force, placement and
# erasure). The questions the student is asked come from the cache (surveys/question_cache.py) once a
# student of the syndicate has opened the survey; the session comes from the cache and is not written
# back; the public footer's contact is cached. Was 8: the session read and save (4), the footer and the
# attended activities; then 2 (the questions).
STUDENT_PAGE_QUERIES = 1


@pytest.mark.parametrize("url", ["/s/", "/s/q/1/", "/s/q/9/"])
def test_student_pages_query_budget_and_constant(client, force_a, url, django_assert_num_queries):
    programme, placements = answered_week(force_a, "Student week", 2027, students=3, activities=("dogs", "drones"))
    student = f.PlacementFactory(programme=programme, syndicate=placements[0].syndicate)
    survey_setup_programme(programme=programme)
    assert client.get(f"/s/{token_for(programme.surveys.get(phase='post'), student)}/").status_code == 302
    assert client.get(url).status_code == 200
    with django_assert_num_queries(STUDENT_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    # More of everything around the student: classmates who answered, more activities attended, other weeks.
    answered_week(force_a, "Next week", 2028, students=5, activities=("boats",))
    classmates = [f.PlacementFactory(programme=programme, syndicate=placements[0].syndicate) for _ in range(5)]
    survey_setup_programme(programme=programme)
    rows = ["placement,phase,question,answer"]
    rows += [f"{p.pk},post,approachability,4" for p in classmates]
    responses_import_csv(programme=programme, data="\n".join(rows))
    with django_assert_num_queries(STUDENT_PAGE_QUERIES + 1):  # the questions again: the survey was set up anew
        assert client.get(url).status_code == 200
    with django_assert_num_queries(STUDENT_PAGE_QUERIES):
        assert client.get(url).status_code == 200
