"""Learning outcomes of an activity: kept in order, edited on the activity's page, shown on the timetable and
the run sheet, and refused with a message when the input is wrong."""

import io

import pytest
from django.db import IntegrityError
from django.urls import reverse
from pypdf import PdfReader

from placements import services
from placements.models import LearningOutcome
from placements.planning import PlanningError
from tests import factories as f


def _rows(*outcomes, total=None):
    """The activity page's outcome rows as a browser posts them."""
    data = {
        "outcomes-TOTAL_FORMS": str(total if total is not None else len(outcomes)),
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "8",
    }
    for index, (text, easy, *welsh) in enumerate(outcomes):
        data[f"outcomes-{index}-text"] = text
        data[f"outcomes-{index}-easy_read_text"] = easy
        data[f"outcomes-{index}-text_cy"] = welsh[0] if welsh else ""
    return data


def _activity_post(activity, **extra):
    """The activity's own fields as its edit page posts them, unchanged."""
    return {
        "kind": activity.kind,
        "title": activity.title,
        "description": activity.description,
        "department": activity.department_id or "",
        "community_partner": activity.community_partner,
        "duration_minutes": "2 hours",
        "staff_needed": str(activity.staff_needed),
        "syndicate_capacity": str(activity.syndicate_capacity or ""),
        "venue": activity.venue,
        "shared_with": "",
        "risk_assessment_status": activity.risk_assessment_status,
        "risk_assessed_on": "",
        **extra,
    }


def _texts(activity):
    return list(activity.outcomes.order_by("position").values_list("text", "easy_read_text"))


# --- the model and the service ------------------------------------------------------------------


def test_an_outcome_must_have_words(week):
    with pytest.raises(IntegrityError):
        LearningOutcome.objects.create(activity=week.activities["dogs"], text="")


def test_outcomes_are_set_in_order_and_an_unchanged_one_keeps_its_row(week, coordinator):
    dogs = week.activities["dogs"]
    first = services.activity_outcomes_set(
        activity=dogs,
        outcomes=[("Describe a premises search", ""), ("Explain  why   dogs help", "Say why dogs help")],
        actor=coordinator,
    )
    assert _texts(dogs) == [("Describe a premises search", ""), ("Explain why dogs help", "Say why dogs help")]
    kept = first[1].pk
    services.activity_outcomes_set(
        activity=dogs,
        outcomes=[("Explain why dogs help", "Say why dogs help"), ("Name two search tools", "")],
        actor=coordinator,
    )
    assert _texts(dogs) == [("Explain why dogs help", "Say why dogs help"), ("Name two search tools", "")]
    assert dogs.outcomes.get(position=1).pk == kept  # moved up, same row: survey questions still point to it
    assert not dogs.outcomes.filter(text="Describe a premises search").exists()


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        ([("", "Say why dogs help")], "Give the outcome that these easy-read or Welsh words are for."),
        ([("", "", "Nodi rhanddeiliaid")], "Give the outcome that these easy-read or Welsh words are for."),
        ([("Name them", "", "x" * 201)], "200 characters"),
        ([("Explain it", ""), ("explain  IT", "")], "listed twice"),
        ([(f"Outcome {n}", "") for n in range(9)], "at most 8 outcomes"),
        ([("x" * 201, "")], "200 characters"),
    ],
)
def test_the_service_refuses_bad_outcomes_and_changes_nothing(week, coordinator, outcomes, message):
    dogs = week.activities["dogs"]
    services.activity_outcomes_set(activity=dogs, outcomes=[("Keep me", "")], actor=coordinator)
    with pytest.raises(PlanningError, match=message):
        services.activity_outcomes_set(activity=dogs, outcomes=outcomes, actor=coordinator)
    assert _texts(dogs) == [("Keep me", "")]


# --- the activity page --------------------------------------------------------------------------


def test_a_coordinator_edits_outcomes_on_the_activity_page(week, coordinator, client_for):
    client = client_for(coordinator)
    dogs = week.activities["dogs"]
    url = reverse("placements:activity_edit", args=[week.pk, dogs.pk])
    page = client.get(url).content.decode()
    assert "Learning outcomes" in page and "Outcome 3" in page  # three empty rows to start with
    response = client.post(
        url,
        _activity_post(dogs) | _rows(("Describe a premises search", "Say how police search a house"), ("", "")),
    )
    assert response.status_code == 302
    assert _texts(dogs) == [("Describe a premises search", "Say how police search a house")]
    page = client.get(url).content.decode()
    assert ">\nDescribe a premises search</textarea>" in page


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (_rows(("", "Say why dogs help")), "Give the outcome that these easy-read or Welsh words are for."),
        (_rows(("", "", "Nodi rhanddeiliaid")), "Give the outcome that these easy-read or Welsh words are for."),
        (_rows(("Name them", "", "x" * 201)), "at most 200 characters"),
        (_rows(("Explain it", ""), ("Explain it", "")), "This outcome is listed twice"),
        (_rows(*[(f"Outcome {n}", "") for n in range(9)]), "Give at most 8 outcomes for one activity."),
        (_rows(("x" * 201, "")), "at most 200 characters"),
        ({"outcomes-TOTAL_FORMS": "many", "outcomes-INITIAL_FORMS": "0"}, "did not arrive whole"),
    ],
)
def test_bad_outcomes_on_the_page_are_refused_with_a_message(week, coordinator, client_for, rows, message):
    client = client_for(coordinator)
    dogs = week.activities["dogs"]
    services.activity_outcomes_set(activity=dogs, outcomes=[("Keep me", "")], actor=coordinator)
    url = reverse("placements:activity_edit", args=[week.pk, dogs.pk])
    response = client.post(url, _activity_post(dogs, title="Renamed") | rows)
    assert response.status_code == 400
    assert message in response.content.decode()
    dogs.refresh_from_db()
    assert dogs.title != "Renamed" and _texts(dogs) == [("Keep me", "")]  # nothing half-saved


def test_a_new_activity_is_saved_with_its_outcomes(week, coordinator, client_for):
    client = client_for(coordinator)
    dogs = week.activities["dogs"]
    data = _activity_post(dogs, title="Community policing input", department="", community_partner="University")
    response = client.post(
        reverse("placements:activity_create", args=[week.pk]), data | _rows(("Identify key stakeholders", ""))
    )
    assert response.status_code == 302
    created = week.force.activities.get(title="Community policing input")
    assert _texts(created) == [("Identify key stakeholders", "")]


def test_another_forces_coordinator_cannot_see_or_change_outcomes(week, coordinator, coordinator_b, client_for):
    dogs = week.activities["dogs"]
    services.activity_outcomes_set(activity=dogs, outcomes=[("Keep me", "")], actor=coordinator)
    client = client_for(coordinator_b)
    url = reverse("placements:activity_edit", args=[week.pk, dogs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _activity_post(dogs) | _rows(("Taken over", ""))).status_code == 404
    # Their own programme with this force's activity: still not theirs.
    other = f.ProgrammeFactory(force=coordinator_b.force_person.force)
    url = reverse("placements:activity_edit", args=[other.pk, dogs.pk])
    assert client.post(url, _activity_post(dogs) | _rows(("Taken over", ""))).status_code == 404
    assert _texts(dogs) == [("Keep me", "")]


# --- the timetable and the run sheet -------------------------------------------------------------


def test_the_timetable_and_run_sheet_list_the_weeks_outcomes(week, coordinator, client_for):
    services.activity_outcomes_set(
        activity=week.activities["dogs"], outcomes=[("Describe a premises search", "")], actor=coordinator
    )
    # An activity of the catalogue that is not in this week: its outcomes are not listed.
    services.activity_outcomes_set(activity=week.activities["beat"], outcomes=[("Walk a beat", "")], actor=coordinator)
    client = client_for(coordinator)
    page = client.get(reverse("placements:timetable", args=[week.pk])).content.decode()
    assert "Learning outcomes this week" in page and "Describe a premises search" in page
    assert "Walk a beat" not in page
    pdf = client.get(reverse("placements:run_sheet", args=[week.pk]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Learning outcomes" in text and "Describe a premises search" in text and "Walk a beat" not in text


def test_a_week_without_outcomes_shows_no_outcomes_section(week, coordinator, client_for):
    page = client_for(coordinator).get(reverse("placements:timetable", args=[week.pk])).content.decode()
    assert "Learning outcomes this week" not in page


def test_timetable_outcomes_cost_the_same_queries_for_more_outcomes(week, coordinator, django_assert_num_queries):
    from placements.selectors import timetabled_outcomes

    services.activity_outcomes_set(activity=week.activities["dogs"], outcomes=[("One", "")], actor=coordinator)
    with django_assert_num_queries(1):
        assert [a.title for a in timetabled_outcomes(programme=week)] == ["Premises search"]
    for key in ("cars", "air"):
        services.activity_outcomes_set(
            activity=week.activities[key], outcomes=[(f"{key} {n}", "") for n in range(5)], actor=coordinator
        )
    with django_assert_num_queries(1):
        activities = timetabled_outcomes(programme=week)
    assert sum(len(a.outcome_list) for a in activities) == 11


def test_an_outcome_in_welsh_is_kept_with_it_and_changes_in_place(week, coordinator, client_for):
    """The Welsh words are saved from the activity page, shown again, and changing them keeps the outcome's row
    (survey questions already asked about it still point to it)."""
    client = client_for(coordinator)
    dogs = week.activities["dogs"]
    url = reverse("placements:activity_edit", args=[week.pk, dogs.pk])
    assert "Outcome 1 in Welsh" in client.get(url).content.decode()
    rows = _rows(("Identify key stakeholders", "", "Nodi rhanddeiliaid allweddol"))
    assert client.post(url, _activity_post(dogs) | rows).status_code == 302
    [outcome] = dogs.outcomes.all()
    assert outcome.text_cy == "Nodi rhanddeiliaid allweddol"
    assert ">\nNodi rhanddeiliaid allweddol</textarea>" in client.get(url).content.decode()
    rows = _rows(("Identify key stakeholders", "", "Enwi rhanddeiliaid"))
    assert client.post(url, _activity_post(dogs) | rows).status_code == 302
    [again] = dogs.outcomes.all()
    assert (again.pk, again.text_cy) == (outcome.pk, "Enwi rhanddeiliaid")
