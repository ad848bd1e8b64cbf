"""Programme set-up in the app: new, edit, copy, cancel; a status that follows the dates; the activity
catalogue and planned budget lines edited without the Django admin."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from placements import services, tasks
from placements.models import Activity, BudgetLine, DepartmentUnavailability, Programme, SpendEntry, Syndicate
from placements.planning import PlanningError
from schools.models import Allocation, Nomination
from surveys.models import Answer, Invitation, Question, Response, Survey
from tests import factories as f

Status = Programme.Status


def _actions(instance):
    return [entry.additional_data.get("action") for entry in LogEntry.objects.get_for_object(instance)]


VALID = {
    "kind": "school_week",
    "title": "Summer week 2027",
    "start_date": "2027-07-12",
    "end_date": "2027-07-16",
    "nomination_opens": "2027-01-04",
    "nomination_closes": "2027-04-30",
    "capacity": "16",
    "reserved_send_places": "4",
    "max_per_institution": "3",
    "min_age": "14",
    "max_age": "17",
    "attendance_threshold_pct": "80",
    "mentor_first_contact_within_days": "14",
    "mentor_contact_every_days": "28",
    "mentoring_months": "12",
    "budget_transport": "550",
    "budget_catering": "1000",
    "budget_overtime": "",
    "budget_misc": "",
    "budget_other": "",
}

# (what changes, the field the message sits on, words of the message): one row per rule of the table.
BAD = [
    ({"end_date": "2027-07-11"}, "end_date", "on or after the first day"),
    ({"capacity": "0"}, "capacity", "1 or more"),
    ({"nomination_closes": "2027-01-03"}, "nomination_closes", "on or after the day they open"),
    ({"nomination_closes": "2027-07-13"}, "nomination_closes", "by the first day of the programme"),
    ({"reserved_send_places": "17"}, "reserved_send_places", "only 16 places"),
    ({"max_per_institution": "0"}, "max_per_institution", "1 or more"),
    ({"min_age": "16", "max_age": "15"}, "max_age", "cannot be below the youngest age (16)"),
    ({"attendance_threshold_pct": "101"}, "attendance_threshold_pct", "100 or less"),
    ({"mentor_contact_every_days": "0"}, "mentor_contact_every_days", "1 or more"),
    ({"start_date": "1800-07-12"}, "start_date", "between 2000 and 2100"),
    ({"title": ""}, "title", "Enter the programme's title"),
    ({"budget_transport": "-1"}, "budget_transport", "£0 or more"),
]


@pytest.fixture
def coordinator_force(coordinator):
    return coordinator.force_person.force


# --- new programme ----------------------------------------------------------------------------


def test_new_programme_is_made_in_the_coordinators_force_with_its_budget(client_for, coordinator, force_b):
    # A posted force or status is ignored: the force is the coordinator's, the status follows the dates.
    data = {**VALID, "force": str(force_b.pk), "status": "completed"}
    with time_machine.travel("2027-02-01 10:00 +0000"):
        client = client_for(coordinator)  # signed in on the day: a session does not last months
        listing = client.get(reverse("placements:programme_list")).content.decode()
        assert reverse("placements:programme_create") in listing
        response = client.post(reverse("placements:programme_create"), data)
    programme = Programme.objects.get(title="Summer week 2027")
    assert response.status_code == 302
    assert response.url == reverse("placements:programme_detail", args=[programme.pk])
    assert programme.force == coordinator.force_person.force
    assert programme.status == Status.NOMINATIONS_OPEN  # 1 Feb is inside the window
    assert programme.max_per_institution == 3
    lines = dict(programme.budget_lines.values_list("category", "planned"))
    assert lines == {"transport": Decimal("550.00"), "catering": Decimal("1000.00")}
    assert "Programme created" in _actions(programme)


@pytest.mark.parametrize(("change", "field", "words"), BAD)
def test_each_rule_of_a_new_programme_is_a_400_on_its_field_and_writes_nothing(
    client_for, coordinator, change, field, words
):
    response = client_for(coordinator).post(reverse("placements:programme_create"), {**VALID, **change})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words in " ".join(errors[field])
    assert not Programme.objects.exists()
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [(change, field) for change, field, _ in BAD if not field.startswith("budget") and field != "start_date"],
)
def test_the_service_refuses_what_the_table_would_refuse_with_the_field_named(coordinator_force, change, field):
    """Called directly (not through the form), the service names the field instead of an IntegrityError."""
    form_values = {**VALID, **change}
    details = {
        "kind": form_values["kind"],
        "title": form_values["title"],
        **{
            name: date.fromisoformat(form_values[name])
            for name in ("start_date", "end_date", "nomination_opens", "nomination_closes")
        },
        **{
            name: int(form_values[name]) if form_values[name] else None
            for name in (
                "capacity",
                "reserved_send_places",
                "max_per_institution",
                "min_age",
                "max_age",
                "attendance_threshold_pct",
                "mentor_first_contact_within_days",
                "mentor_contact_every_days",
                "mentoring_months",
            )
        },
    }
    with pytest.raises(PlanningError) as refused:
        services.programme_create(force=coordinator_force, details=details, actor=None)
    assert refused.value.field == field
    assert not Programme.objects.exists()


# --- edit -------------------------------------------------------------------------------------


def _form_values(programme, **change):
    values = {name: getattr(programme, name) for name in services.PROGRAMME_FIELDS}
    values = {k: ("" if v is None else v.isoformat() if isinstance(v, date) else str(v)) for k, v in values.items()}
    return {**values, **change}


def test_editing_details_saves_them_and_returns_to_the_programme(client_for, coordinator, programme_a):
    client = client_for(coordinator)
    detail = client.get(reverse("placements:programme_detail", args=[programme_a.pk])).content.decode()
    assert reverse("placements:programme_edit", args=[programme_a.pk]) in detail
    page = client.get(reverse("placements:programme_edit", args=[programme_a.pk])).content.decode()
    assert 'name="status"' not in page and 'name="force"' not in page
    response = client.post(
        reverse("placements:programme_edit", args=[programme_a.pk]),
        _form_values(programme_a, title="Force A summer week", capacity="20", max_age="", status="cancelled"),
    )
    assert response.status_code == 302
    assert response.url == reverse("placements:programme_detail", args=[programme_a.pk])
    programme_a.refresh_from_db()
    assert (programme_a.title, programme_a.capacity, programme_a.max_age) == ("Force A summer week", 20, None)
    assert programme_a.status != Status.CANCELLED
    entry = LogEntry.objects.get_for_object(programme_a).get(additional_data__action="Programme details changed")
    assert entry.additional_data["fields"] == ["capacity", "max_age", "title"]


@pytest.mark.parametrize(("change", "field", "words"), [row for row in BAD if not row[1].startswith("budget")])
def test_each_rule_of_an_edit_is_a_400_on_its_field_and_changes_nothing(
    client_for, coordinator, programme_a, change, field, words
):
    before = Programme.objects.filter(pk=programme_a.pk).values().get()
    response = client_for(coordinator).post(
        reverse("placements:programme_edit", args=[programme_a.pk]), _form_values(programme_a, **change)
    )
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    assert Programme.objects.filter(pk=programme_a.pk).values().get() == before


def test_places_cannot_drop_below_the_students_already_placed(client_for, coordinator, programme_a):
    f.PlacementFactory.create_batch(3, programme=programme_a)
    response = client_for(coordinator).post(
        reverse("placements:programme_edit", args=[programme_a.pk]),
        _form_values(programme_a, capacity="2", reserved_send_places="0"),
    )
    assert response.status_code == 400
    assert "3 students already have places" in response.context["form"].errors["capacity"][0]
    programme_a.refresh_from_db()
    assert programme_a.capacity == 16


def test_a_cancelled_programme_cannot_be_edited(client_for, coordinator, programme_a):
    Programme.objects.filter(pk=programme_a.pk).update(status=Status.CANCELLED)
    client = client_for(coordinator)
    page = client.get(reverse("placements:programme_edit", args=[programme_a.pk])).content.decode()
    assert "no longer be changed" in page
    response = client.post(
        reverse("placements:programme_edit", args=[programme_a.pk]), _form_values(programme_a, title="Renamed")
    )
    assert response.status_code == 409
    programme_a.refresh_from_db()
    assert programme_a.title == "Force A week"


# --- who may ----------------------------------------------------------------------------------


def _programme_urls(pk):
    return [
        reverse("placements:programme_edit", args=[pk]),
        reverse("placements:programme_copy", args=[pk]),
        reverse("placements:programme_cancel", args=[pk]),
    ]


def test_another_forces_coordinator_gets_404_and_changes_nothing(client_for, coordinator_b, programme_a):
    client = client_for(coordinator_b)
    before = list(Programme.objects.values())
    for url in _programme_urls(programme_a.pk):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {**_form_values(programme_a, title="Taken"), "confirm": "1"}).status_code == 404, url
    assert list(Programme.objects.values()) == before


def test_contacts_leads_and_visitors_cannot_set_up_programmes(client_for, contact, lead, programme_a):
    urls = [
        reverse("placements:programme_create"),
        reverse("placements:programme_copy_choose"),
        *_programme_urls(programme_a.pk),
    ]
    before = list(Programme.objects.values())
    for user in (contact, lead):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
            assert client.post(url, {**VALID, "confirm": "1"}).status_code == 403, (user, url)
    anonymous = client_for(None)
    for url in urls:
        response = anonymous.post(url, VALID)
        assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert list(Programme.objects.values()) == before


def test_the_copy_list_offers_only_the_coordinators_own_programmes(client_for, coordinator, programme_a, programme_b):
    page = client_for(coordinator).get(reverse("placements:programme_copy_choose")).content.decode()
    assert reverse("placements:programme_copy", args=[programme_a.pk]) in page
    assert programme_b.title not in page


# --- copy -------------------------------------------------------------------------------------


@pytest.fixture
def last_year(force_a):
    """A finished week with everything a year holds: set-up to copy, and people's records that must stay."""
    week = f.ProgrammeFactory(
        force=force_a,
        title="Summer week 2026",
        start_date=date(2026, 7, 13),
        end_date=date(2026, 7, 17),
        nomination_opens=date(2026, 3, 2),
        nomination_closes=date(2026, 4, 24),
        attendance_threshold_pct=75,
        mentoring_months=9,
    )
    schools = [f.InstitutionFactory(force=force_a, name=f"School {n}") for n in range(3)]
    for school, quota in zip(schools, (5, 4, 3), strict=True):
        f.AllocationFactory(programme=week, institution=school, quota=quota)
    schools[2].is_active = False  # closed since: not copied
    schools[2].save()
    in_date = f.ForcePersonFactory(force=force_a, name="Lead In Date", vetting_expires_on=date(2030, 1, 1))
    lapsing = f.ForcePersonFactory(force=force_a, name="Lead Lapsing", vetting_expires_on=date(2027, 1, 1))
    f.SyndicateFactory(programme=week, name="Syndicate 1", lead=in_date)
    f.SyndicateFactory(programme=week, name="Syndicate 2", lead=lapsing)
    placement = f.PlacementFactory(programme=week, nomination__institution=schools[0])
    placement.syndicate = week.syndicates.get(name="Syndicate 1")
    placement.save()
    transport = f.BudgetLineFactory(programme=week, category="transport", planned=Decimal("550"))
    f.BudgetLineFactory(programme=week, category="catering", planned=Decimal("1000"), description="Lunches")
    services.spend_entry_add(
        programme=week, category="transport", day=date(2026, 7, 13), amount=Decimal("275"), note="Coach", actor=None
    )
    opens = timezone.make_aware(datetime(2026, 7, 10, 9, 0))
    pre = f.SurveyFactory(programme=week, phase="pre", opens_at=opens, closes_at=opens + timedelta(days=3))
    post = f.SurveyFactory(programme=week, phase="post", title="After the week")
    for survey in (pre, post):
        f.QuestionFactory(survey=survey, code="approachability")
        f.QuestionFactory(survey=survey, code="trust", kind="yes_no")
    invitation = f.InvitationFactory(survey=pre, placement=placement)
    response = f.ResponseFactory(invitation=invitation)
    f.AnswerFactory(response=response, question=pre.questions.get(code="trust"), value_int=1)
    f.SessionFactory(programme=week)
    assert transport.pk
    return week


def test_the_copy_page_says_what_will_be_copied_with_numbers(client_for, coordinator, last_year):
    response = client_for(coordinator).get(reverse("placements:programme_copy", args=[last_year.pk]))
    page = response.content.decode()
    for words in (
        "2 schools and their quotas",
        "2 syndicates with 2 leads (no students)",
        "2 planned budget lines (£1,550.00 planned)",
        "2 surveys (before the programme and after the programme) with their 4 questions",
        "The timetable",
        "Survey invitations and students",
        "your force has no certificate design",
    ):
        assert words in page, words
    form = response.context["form"]
    # Same weekdays 52 weeks on; the window moves the same way; the title's year moves on.
    assert form.initial["start_date"] == date(2027, 7, 12) and form.initial["start_date"].weekday() == 0
    assert form.initial["end_date"] == date(2027, 7, 16)
    assert form.initial["nomination_opens"] == date(2027, 3, 1)
    assert form.initial["nomination_closes"] == date(2027, 4, 23)
    assert form.initial["title"] == "Summer week 2027"


def test_the_copy_brings_the_set_up_and_nothing_personal(client_for, coordinator, last_year):
    source_rows = {
        model: model.objects.count()
        for model in (Allocation, Syndicate, BudgetLine, Survey, Question, Nomination, Invitation, Response, Answer)
    }
    with time_machine.travel("2026-11-30 10:00 +0000"):
        client = client_for(coordinator)
        response = client.post(
            reverse("placements:programme_copy", args=[last_year.pk]),
            {
                "title": "Summer week 2027",
                "start_date": "2027-07-12",
                "end_date": "2027-07-16",
                "nomination_opens": "2027-03-01",
                "nomination_closes": "2027-04-23",
            },
        )
    copy = Programme.objects.get(title="Summer week 2027")
    assert response.status_code == 302
    assert response.url == reverse("placements:programme_detail", args=[copy.pk])
    assert copy.force_id == last_year.force_id
    assert (copy.attendance_threshold_pct, copy.mentoring_months, copy.capacity) == (75, 9, 16)
    assert copy.status == Status.DRAFT  # the window opens in March
    # Schools and quotas (not the closed school).
    assert sorted(copy.allocations.values_list("institution__name", "quota")) == [("School 0", 5), ("School 1", 4)]
    # Syndicates with their leads, no students; a lead whose vetting ends before the new week is left out.
    syndicates = {s.name: s.lead and s.lead.name for s in copy.syndicates.select_related("lead")}
    assert syndicates == {"Syndicate 1": "Lead In Date", "Syndicate 2": None}
    assert not copy.placements.exists()
    # Planned budget, no spend.
    lines = {line.category: (line.planned, line.actual, line.description) for line in copy.budget_lines.all()}
    assert lines == {
        "transport": (Decimal("550.00"), Decimal("0.00"), ""),
        "catering": (Decimal("1000.00"), Decimal("0.00"), "Lunches"),
    }
    assert not SpendEntry.objects.filter(budget_line__programme=copy).exists()
    # Surveys and their questions, the window moved 364 days; no invitations or answers.
    pre = copy.surveys.get(phase="pre")
    assert pre.opens_at == last_year.surveys.get(phase="pre").opens_at + timedelta(days=364)
    assert sorted(pre.questions.values_list("code", flat=True)) == ["approachability", "trust"]
    assert copy.surveys.get(phase="post").closes_at is None
    assert not Invitation.objects.filter(survey__programme=copy).exists()
    # Nothing personal, no timetable, and the source is untouched.
    assert not copy.nominations.exists() and not copy.sessions.exists()
    assert Nomination.objects.count() == source_rows[Nomination]
    assert (Invitation.objects.count(), Response.objects.count(), Answer.objects.count()) == (
        source_rows[Invitation],
        source_rows[Response],
        source_rows[Answer],
    )
    assert last_year.allocations.count() == 3 and last_year.placements.count() == 1
    assert "Programme copied" in _actions(copy)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("1 lead could not be copied" in m for m in messages)


def test_a_copy_with_bad_dates_is_a_400_and_writes_nothing(client_for, coordinator, last_year):
    before = Programme.objects.count()
    response = client_for(coordinator).post(
        reverse("placements:programme_copy", args=[last_year.pk]),
        {
            "title": "Summer week 2027",
            "start_date": "2027-07-12",
            "end_date": "2027-07-16",
            "nomination_opens": "2027-03-01",
            "nomination_closes": "2027-07-20",
        },
    )
    assert response.status_code == 400
    assert "by the first day" in response.context["form"].errors["nomination_closes"][0]
    assert Programme.objects.count() == before
    assert Allocation.objects.count() == 3


# --- status follows the dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "offers", "awaiting", "stage"),
    [
        (date(2027, 1, 3), 0, 0, Status.DRAFT),  # the day before the window
        (date(2027, 1, 4), 0, 0, Status.NOMINATIONS_OPEN),  # the window's first day
        (date(2027, 4, 30), 0, 0, Status.NOMINATIONS_OPEN),  # its last day
        (date(2027, 4, 1), 3, 3, Status.SELECTION),  # offers made while the window is open
        (date(2027, 5, 1), 0, 0, Status.SELECTION),  # the day after it closes
        (date(2027, 5, 1), 4, 1, Status.SELECTION),  # one offer still waiting for an answer
        (date(2027, 5, 1), 4, 0, Status.CONFIRMED),  # closed, offers made, every one answered
        (date(2027, 7, 11), 4, 0, Status.CONFIRMED),  # the day before the start
        (date(2027, 7, 12), 0, 0, Status.RUNNING),  # first day
        (date(2027, 7, 16), 0, 0, Status.RUNNING),  # last day
        (date(2027, 7, 17), 0, 0, Status.COMPLETED),  # the day after
    ],
)
def test_stage_at_each_boundary(day, offers, awaiting, stage):
    programme = Programme(
        start_date=date(2027, 7, 12),
        end_date=date(2027, 7, 16),
        nomination_opens=date(2027, 1, 4),
        nomination_closes=date(2027, 4, 30),
    )
    assert programme.stage_on(day, offers_made=offers, offers_awaiting=awaiting) == stage
    programme.status = Status.CANCELLED  # only the action cancels, and nothing un-cancels
    assert programme.stage_on(day, offers_made=offers, offers_awaiting=awaiting) == Status.CANCELLED


def test_the_status_follows_real_offers_and_the_nightly_job_is_idempotent(programme_a, programme_b):
    offered = f.NominationFactory(programme=programme_a, status=Nomination.Status.OFFERED)
    f.NominationFactory(programme=programme_a, status=Nomination.Status.ACCEPTED)
    Programme.objects.filter(pk=programme_b.pk).update(status=Status.CANCELLED)
    with time_machine.travel("2027-05-03 00:05 +0100"):
        assert tasks.programme_statuses_refresh() == 1  # programme_b is cancelled: left alone
        programme_a.refresh_from_db()
        assert programme_a.status == Status.SELECTION
        assert programme_a.stage_explanation(date(2027, 5, 3), offers_awaiting=1) == (
            "Choosing students: waiting for answers to 1 offer."
        )
        assert tasks.programme_statuses_refresh() == 0
        offered.status = Nomination.Status.DECLINED
        offered.save()
        assert tasks.programme_statuses_refresh() == 1
        programme_a.refresh_from_db()
        assert programme_a.status == Status.CONFIRMED
    with time_machine.travel("2027-07-19 00:05 +0100"):
        tasks.programme_statuses_refresh()
        programme_a.refresh_from_db()
        assert programme_a.status == Status.COMPLETED
        assert programme_a.status_explanation == "Finished on 16 July 2027."
    programme_b.refresh_from_db()
    assert programme_b.status == Status.CANCELLED


def test_the_list_explains_each_status_in_plain_words(client_for, coordinator, programme_a):
    with time_machine.travel("2027-02-01 10:00 +0000"):
        services.programme_status_refresh(programme=programme_a, today=timezone.localdate())
        page = client_for(coordinator).get(reverse("placements:programme_list")).content.decode()
    assert "Nominations open" in page
    assert "Taking nominations until 30 April 2027." in page


# --- cancel -----------------------------------------------------------------------------------


def test_cancelling_shows_its_effect_first_then_is_recorded(client_for, coordinator, programme_a):
    f.PlacementFactory.create_batch(2, programme=programme_a)
    client = client_for(coordinator)
    page = client.get(reverse("placements:programme_cancel", args=[programme_a.pk])).content.decode()
    assert "cannot be undone" in page and "2 students with a place" in page
    programme_a.refresh_from_db()
    assert programme_a.status != Status.CANCELLED  # looking changes nothing
    response = client.post(reverse("placements:programme_cancel", args=[programme_a.pk]), {"confirm": "1"})
    assert response.status_code == 302
    programme_a.refresh_from_db()
    assert programme_a.status == Status.CANCELLED
    entry = LogEntry.objects.get_for_object(programme_a).get(additional_data__action="Programme cancelled")
    assert entry.actor == coordinator and entry.additional_data["placements"] == 2
    assert client.post(reverse("placements:programme_cancel", args=[programme_a.pk])).status_code == 409
    services.programme_status_refresh(programme=programme_a, today=date(2027, 7, 13))
    assert programme_a.status == Status.CANCELLED


def test_a_finished_programme_cannot_be_cancelled(client_for, coordinator, programme_a):
    with time_machine.travel("2027-08-01 10:00 +0100"):
        client = client_for(coordinator)
        response = client.post(reverse("placements:programme_cancel", args=[programme_a.pk]))
    assert response.status_code == 409
    programme_a.refresh_from_db()
    assert programme_a.status != Status.CANCELLED


# --- activities catalogue ---------------------------------------------------------------------

ACTIVITY = {
    "kind": "scenario",
    "title": "Mock burglary",
    "description": "Search a flat for evidence.",
    "department": "",
    "community_partner": "",
    "duration_minutes": "120",
    "staff_needed": "2",
    "syndicate_capacity": "1",
    "venue": "Training flats",
    "risk_assessment_status": "approved",
    "risk_assessed_on": "2026-05-01",
}


def test_activities_are_added_changed_and_retired_in_the_app(client_for, coordinator, programme_a):
    force = programme_a.force
    csi = f.DepartmentFactory(force=force, name="CSI")
    person = f.ForcePersonFactory(force=force, name="PC Deliverer")
    f.ActivityFactory(force=force, title="Older", slug="mock-burglary")  # the short name is taken
    client = client_for(coordinator)
    page = client.get(reverse("placements:activities", args=[programme_a.pk])).content.decode()
    assert "/admin/placements" not in page
    url = reverse("placements:activity_create", args=[programme_a.pk])
    response = client.post(url, {**ACTIVITY, "department": csi.pk, "delivering_staff": [person.pk]})
    assert response.status_code == 302
    activity = Activity.objects.get(title="Mock burglary")
    assert (activity.force, activity.department, activity.slug) == (force, csi, "mock-burglary-2")
    assert list(activity.delivering_staff.all()) == [person]
    assert "Activity added" in _actions(activity)

    edit = reverse("placements:activity_edit", args=[programme_a.pk, activity.pk])
    response = client.post(edit, {**ACTIVITY, "title": "Mock burglary (flats)", "department": csi.pk})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Mock burglary (flats)"
    assert activity.slug == "mock-burglary-2"  # kept, so survey answers about it still match
    assert not activity.delivering_staff.exists()

    retire = reverse("placements:activity_in_use", args=[programme_a.pk, activity.pk])
    assert client.post(retire, {"in_use": "no"}).status_code == 302
    activity.refresh_from_db()
    assert not activity.is_active
    client.post(retire, {"in_use": "yes"})
    activity.refresh_from_db()
    assert activity.is_active
    assert {"Activity retired", "Activity brought back"} <= set(_actions(activity))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"department": "", "community_partner": ""}, "department"),
        ({"staff_needed": "4"}, "staff_needed"),
        ({"duration_minutes": "0"}, "duration_minutes"),
        ({"syndicate_capacity": "0"}, "syndicate_capacity"),
        ({"risk_assessed_on": ""}, "risk_assessed_on"),
        ({"risk_assessed_on": "2099-01-01"}, "risk_assessed_on"),
    ],
)
def test_activity_rules_are_400s_on_their_field(client_for, coordinator, programme_a, change, field):
    partner = {"community_partner": "Youth Forum"}
    response = client_for(coordinator).post(
        reverse("placements:activity_create", args=[programme_a.pk]), {**ACTIVITY, **partner, **change}
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Activity.objects.exists()


def test_another_forces_activities_and_departments_are_out_of_reach(client_for, coordinator, programme_a, force_b):
    theirs = f.ActivityFactory(force=force_b, title="Theirs")
    their_department = f.DepartmentFactory(force=force_b)
    client = client_for(coordinator)
    assert client.get(reverse("placements:activity_edit", args=[programme_a.pk, theirs.pk])).status_code == 404
    retire = reverse("placements:activity_in_use", args=[programme_a.pk, theirs.pk])
    assert client.post(retire, {"in_use": "no"}).status_code == 404
    response = client.post(
        reverse("placements:activity_create", args=[programme_a.pk]), {**ACTIVITY, "department": their_department.pk}
    )
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert theirs.is_active and Activity.objects.count() == 1


def test_department_unavailable_times_are_recorded_and_removed(client_for, coordinator, programme_a, force_b):
    dogs = f.DepartmentFactory(force=programme_a.force, name="Dogs")
    client = client_for(coordinator)
    url = reverse("placements:activities", args=[programme_a.pk])
    bad = client.post(url, {"department": dogs.pk, "starts_at": "2027-07-12T13:00", "ends_at": "2027-07-12T09:00"})
    assert bad.status_code == 400 and "ends_at" in bad.context["form"].errors
    assert not DepartmentUnavailability.objects.exists()
    good = client.post(url, {"department": dogs.pk, "starts_at": "2027-07-12T09:00", "ends_at": "2027-07-12T13:00"})
    assert good.status_code == 302
    row = DepartmentUnavailability.objects.get()
    theirs = DepartmentUnavailability.objects.create(
        department=f.DepartmentFactory(force=force_b), starts_at=row.starts_at, ends_at=row.ends_at
    )
    remove = "placements:unavailability_remove"
    assert client.post(reverse(remove, args=[programme_a.pk, theirs.pk])).status_code == 404
    assert client.post(reverse(remove, args=[programme_a.pk, row.pk])).status_code == 302
    assert list(DepartmentUnavailability.objects.all()) == [theirs]


# --- planned budget lines ---------------------------------------------------------------------


def test_planned_budget_lines_are_added_changed_and_deleted_in_the_app(client_for, coordinator, programme_a):
    client = client_for(coordinator)
    url = reverse("placements:budget", args=[programme_a.pk])
    assert "/admin/placements" not in client.get(url).content.decode()
    add = {"form": "line", "line-category": "transport", "line-description": "Coach", "line-planned": "550"}
    assert client.post(url, add).status_code == 302
    line = programme_a.budget_lines.get()
    assert (line.category, line.planned, line.description) == ("transport", Decimal("550.00"), "Coach")
    again = client.post(url, {**add, "line-planned": "600"})
    assert again.status_code == 400
    assert "category" in again.context["line_form"].errors  # a second transport line is not offered
    assert client.post(url, {**add, "line-category": "catering", "line-planned": "-5"}).status_code == 400
    assert programme_a.budget_lines.count() == 1

    edit = reverse("placements:budget_line_edit", args=[programme_a.pk, line.pk])
    assert client.post(edit, {"description": "Coach hire", "planned": "575.50"}).status_code == 302
    line.refresh_from_db()
    assert (line.planned, line.description) == (Decimal("575.50"), "Coach hire")
    assert "Budget line changed" in _actions(line)

    delete = reverse("placements:budget_line_delete", args=[programme_a.pk, line.pk])
    assert "Delete the line" in client.get(delete).content.decode()
    assert client.post(delete, {"confirm": "1"}).status_code == 302
    assert not programme_a.budget_lines.exists()
    assert "Budget line deleted" in _actions(programme_a)


def test_a_line_with_spend_cannot_be_deleted(client_for, coordinator, programme_a, programme_b):
    services.spend_entry_add(
        programme=programme_a, category="catering", day=date(2027, 7, 12), amount=Decimal("80"), note="", actor=None
    )
    line = programme_a.budget_lines.get()
    client = client_for(coordinator)
    delete = reverse("placements:budget_line_delete", args=[programme_a.pk, line.pk])
    assert "cannot be deleted" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 409
    assert programme_a.budget_lines.filter(pk=line.pk).exists() and SpendEntry.objects.count() == 1
    theirs = f.BudgetLineFactory(programme=programme_b)
    assert client.get(reverse("placements:budget_line_edit", args=[programme_a.pk, theirs.pk])).status_code == 404
    assert client.post(reverse("placements:budget_line_delete", args=[programme_a.pk, theirs.pk])).status_code == 404
    assert BudgetLine.objects.filter(pk=theirs.pk).exists()


def test_the_nightly_status_job_is_scheduled(settings):
    from config.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["programme-statuses-refresh"]
    assert entry["task"] == tasks.programme_statuses_refresh.name
    assert entry["task"] in app.tasks


def test_programme_list_counts_each_relation_on_its_own(coordinator, programme_a, programme_b):
    """Nominations, places filled and syndicates are counted separately: one never multiplies another."""
    from placements.models import Placement
    from placements.selectors import programme_list

    for _ in range(3):
        f.PlacementFactory(programme=programme_a)  # 3 nominations, 3 confirmed places
    f.PlacementFactory(programme=programme_a, status=Placement.Status.WITHDRAWN)  # a 4th nomination, not a place
    f.NominationFactory(programme=programme_a)  # a 5th, not placed
    f.SyndicateFactory.create_batch(2, programme=programme_a)
    f.PlacementFactory(programme=programme_b)  # another force's: neither listed nor counted
    rows = {p.pk: p for p in programme_list(user=coordinator)}
    assert set(rows) == {programme_a.pk}
    listed = rows[programme_a.pk]
    assert (listed.nomination_count, listed.placement_count, listed.syndicate_count) == (5, 3, 2)
    empty = f.ProgrammeFactory(force=programme_a.force)
    listed = {p.pk: p for p in programme_list(user=coordinator)}[empty.pk]
    assert (listed.nomination_count, listed.placement_count, listed.syndicate_count) == (0, 0, 0)


def test_programme_list_shows_a_page_at_a_time_in_the_same_queries(client_for, coordinator, programme_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from placements.views import PROGRAMME_PAGE_SIZE

    client = client_for(coordinator)
    url = reverse("placements:programme_list")
    client.get(url)  # the user's scope is worked out once, then kept (accounts/scoping.py): count warm pages
    with CaptureQueriesContext(connection) as one:
        assert "Older programmes" not in client.get(url).content.decode()
    for n in range(PROGRAMME_PAGE_SIZE + 4):
        f.ProgrammeFactory(force=programme_a.force, title=f"Week number {n:02d}")
    with CaptureQueriesContext(connection) as many:
        first = client.get(url).content.decode()
    assert len(many) == len(one)
    assert first.count("Week number") + ("Force A week" in first) == PROGRAMME_PAGE_SIZE
    assert "Older programmes" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count("Week number") + ("Force A week" in second) == 5 and "Newer programmes" in second
    assert client.get(url, {"page": "nonsense"}).status_code == 200  # a bad page number shows the first page
