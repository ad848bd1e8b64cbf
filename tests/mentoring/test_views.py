"""Every mentoring page three ways (anonymous, outsider, owner), the mentor's scope, and query counts."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import OutboundEmail
from mentoring import services
from mentoring.models import MentorAssignment, MentorContact, MentoringReferral, Outcome
from tests import factories as f
from tests.mentoring.conftest import make_eligible

LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def _after_the_week():
    """A day after programme_a's week (July 2027), while the clock ticks on."""
    with time_machine.travel(datetime(2027, 8, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))):
        yield


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


@pytest.fixture
def other_mentor(force_a):
    user = f.UserFactory(username="mentor-a2")
    f.ForcePersonFactory(force=force_a, user=user, is_mentor=True, name="Mentor A2")
    return user


@pytest.fixture
def assignment(eligible, mentor_person, coordinator):
    assignment = services.mentor_assignment_create(placement=eligible, mentor=mentor_person, actor=coordinator)
    f.MentorContactFactory(
        assignment=assignment,
        contacted_on=timezone.localdate(),
        summary="Talked about cadets.",
        sensitive_notes="Worried about a family matter.",
    )
    return assignment


def contact_data(**overrides):
    return {
        "contacted_on": timezone.localdate().isoformat(),
        "method": "phone",
        "summary": "Phoned to talk about the open day.",
        "next_step": "Send the link.",
        "sensitive_notes": "",
        **overrides,
    }


# --- the coordinator's pages ------------------------------------------------------------------


def test_dashboard_three_ways(client_for, coordinator, coordinator_b, mentor, contact, assignment):
    url = reverse("mentoring:dashboard")
    assert_login_redirect(client_for(None).get(url))
    assert client_for(mentor).get(url).status_code == 403
    assert client_for(contact).get(url).status_code == 403
    other = client_for(coordinator_b).get(url)
    assert other.status_code == 200
    assert "Mentor A" not in other.content.decode()  # force B's coordinator sees only force B
    response = client_for(coordinator).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mentor A" in body
    assert "<svg" in body and "Pipeline chart" in body


def test_admin_picks_a_force_on_the_dashboard(client_for, superuser, force_a, force_b, assignment):
    client = client_for(superuser)
    assert "Mentor A" in client.get(reverse("mentoring:dashboard") + "?force=force-a").content.decode()
    other = client.get(reverse("mentoring:dashboard") + "?force=force-b")
    assert other.status_code == 200
    assert "Mentor A" not in other.content.decode()
    assert "Force A Constabulary" in other.content.decode()  # a link back


def test_programme_page_three_ways(client_for, coordinator, coordinator_b, contact, eligible, programme_a):
    url = reverse("mentoring:programme", args=[programme_a.pk])
    assert_login_redirect(client_for(None).get(url))
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(contact).get(url).status_code == 403
    response = client_for(coordinator).get(url)
    assert response.status_code == 200
    assert eligible.nomination.full_name in response.content.decode()
    assert reverse("mentoring:assign", args=[eligible.pk]) in response.content.decode()


def test_programme_page_shows_the_mentoring_section(client_for, coordinator, programme_a, assignment):
    response = client_for(coordinator).get(reverse("placements:programme_detail", args=[programme_a.pk]))
    body = response.content.decode()
    assert "Mentoring" in body
    assert reverse("mentoring:programme", args=[programme_a.pk]) in body


def test_put_forward_three_ways(client_for, coordinator, coordinator_b, programme_a):
    placement = make_eligible(programme_a, asked=False)
    url = reverse("mentoring:referral_create", args=[placement.pk])
    assert_login_redirect(client_for(None).post(url))
    assert client_for(coordinator_b).post(url).status_code == 404
    client = client_for(coordinator)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert MentoringReferral.objects.filter(placement=placement, referred_by=coordinator).exists()


def test_assign_three_ways(client_for, coordinator, coordinator_b, mentor, mentor_person, eligible):
    url = reverse("mentoring:assign", args=[eligible.pk])
    assert_login_redirect(client_for(None).get(url))
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(coordinator_b).post(url, {"mentor": mentor_person.pk}).status_code == 404
    assert client_for(mentor).get(url).status_code == 403
    client = client_for(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert "Suggested: <strong>Mentor A</strong>" in page.content.decode()
    response = client.post(url, {"mentor": mentor_person.pk})
    assert response.status_code == 302
    assert MentorAssignment.objects.get(placement=eligible).mentor == mentor_person


def test_assign_refuses_bad_input_with_a_message(client_for, coordinator, eligible, mentor_person, force_b):
    stranger = f.ForcePersonFactory(force=force_b, is_mentor=True)
    client = client_for(coordinator)
    for data in ({"mentor": stranger.pk}, {"mentor": "abc"}, {}):
        response = client.post(reverse("mentoring:assign", args=[eligible.pk]), data)
        assert response.status_code == 400
        assert "valid choice" in response.content.decode() or "required" in response.content.decode()
    assert not MentorAssignment.objects.exists()


def test_assigning_an_ineligible_student_is_a_400_with_the_reason(client_for, coordinator, mentor_person, programme_a):
    placement = make_eligible(programme_a, asked=False)
    response = client_for(coordinator).post(
        reverse("mentoring:assign", args=[placement.pk]), {"mentor": mentor_person.pk}
    )
    assert response.status_code == 400
    assert "Did not ask for a mentor" in response.content.decode()
    assert not MentorAssignment.objects.exists()


# --- the assignment page: mentor and coordinators only ------------------------------------------


def test_assignment_page_three_ways(
    client_for, coordinator, coordinator_b, mentor, other_mentor, contact, lead, assignment
):
    url = reverse("mentoring:assignment", args=[assignment.pk])
    assert_login_redirect(client_for(None).get(url))
    for outsider in (coordinator_b, other_mentor, contact, lead):
        assert client_for(outsider).get(url).status_code == 404, outsider
    for owner in (mentor, coordinator):
        response = client_for(owner).get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Talked about cadets." in body
        assert "Worried about a family matter." in body  # the mentor and coordinators see sensitive notes
    services.mentoring_daily(today=assignment.next_due_on)
    assert "Reminders and escalations" in client_for(coordinator).get(url).content.decode()
    assert "Reminders and escalations" not in client_for(mentor).get(url).content.decode()


def test_a_mentor_sees_only_their_own_mentees(client_for, mentor, other_mentor, assignment, programme_a):
    theirs = services.mentor_assignment_create(
        placement=make_eligible(programme_a), mentor=other_mentor.force_person, actor=None
    )
    home = client_for(mentor).get(reverse("mentoring:mentor_home")).content.decode()
    assert assignment.placement.nomination.full_name in home
    assert theirs.placement.nomination.full_name not in home
    assert client_for(mentor).get(reverse("mentoring:assignment", args=[theirs.pk])).status_code == 404
    their_home = client_for(other_mentor).get(reverse("mentoring:mentor_home")).content.decode()
    assert assignment.placement.nomination.full_name not in their_home
    response = client_for(mentor).post(reverse("mentoring:contact_create", args=[theirs.pk]), contact_data())
    assert response.status_code == 404
    assert not theirs.contacts.exists()


def test_institution_contact_sees_none_of_the_contact_logs(client_for, contact, school_a, mentor_person, programme_a):
    placement = make_eligible(programme_a, institution=school_a)  # the contact's own student
    assignment = services.mentor_assignment_create(placement=placement, mentor=mentor_person, actor=None)
    f.MentorContactFactory(
        assignment=assignment, contacted_on=date(2027, 8, 1), summary="Talked about cadets.", sensitive_notes="Worried."
    )
    client = client_for(contact)
    assert client.get(reverse("mentoring:assignment", args=[assignment.pk])).status_code == 404
    f.AllocationFactory(programme=programme_a, institution=school_a)
    home = client.get(reverse("schools:contact_home"))
    assert home.status_code == 200
    body = home.content.decode()
    assert assignment.placement.nomination.last_name in body  # they do see their own student …
    assert "Talked about cadets." not in body  # … but no log
    assert "Worried." not in body


def test_log_contact_three_ways(client_for, coordinator_b, other_mentor, mentor, assignment):
    url = reverse("mentoring:contact_create", args=[assignment.pk])
    assert_login_redirect(client_for(None).post(url, contact_data()))
    assert client_for(coordinator_b).post(url, contact_data()).status_code == 404
    assert client_for(other_mentor).post(url, contact_data()).status_code == 404
    assert assignment.contacts.count() == 1
    response = client_for(mentor).post(url, contact_data())
    assert response.status_code == 302
    assert assignment.contacts.count() == 2
    assignment.refresh_from_db()
    assert assignment.next_due_on == timezone.localdate() + timedelta(days=28)


@pytest.mark.parametrize(
    "bad",
    [
        {"contacted_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
        {"contacted_on": "not a date"},
        {"method": "carrier pigeon"},
        {"summary": ""},
        {"summary": "x" * 501},
    ],
)
def test_bad_contact_input_is_a_400_and_changes_nothing(client_for, mentor, assignment, bad):
    before = assignment.next_due_on
    response = client_for(mentor).post(reverse("mentoring:contact_create", args=[assignment.pk]), contact_data(**bad))
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert assignment.contacts.count() == 1
    assignment.refresh_from_db()
    assert assignment.next_due_on == before


def test_record_outcome_three_ways(client_for, coordinator_b, other_mentor, mentor, coordinator, assignment):
    url = reverse("mentoring:outcome_create", args=[assignment.pk])
    data = {"milestone": Outcome.Milestone.JOINED_CADETS, "occurred_on": timezone.localdate().isoformat()}
    assert_login_redirect(client_for(None).post(url, data))
    assert client_for(coordinator_b).post(url, data).status_code == 404
    assert client_for(other_mentor).post(url, data).status_code == 404
    assert client_for(mentor).post(url, data).status_code == 302
    assert client_for(coordinator).post(url, data).status_code == 302  # again: re-dated, not an error
    assert assignment.placement.outcomes.count() == 1
    bad = client_for(mentor).post(url, {**data, "occurred_on": "2099-01-01"})
    assert bad.status_code == 400


def test_end_mentoring_three_ways(client_for, coordinator, coordinator_b, mentor, assignment):
    url = reverse("mentoring:assignment_end", args=[assignment.pk])
    assert_login_redirect(client_for(None).post(url))
    assert client_for(coordinator_b).post(url).status_code == 404
    assert client_for(mentor).post(url).status_code == 403
    assert client_for(coordinator).get(url).status_code == 405
    assert client_for(coordinator).post(url).status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == MentorAssignment.Status.ENDED
    assert assignment.ended_by == coordinator
    told = OutboundEmail.objects.get(kind="mentoring_ended")
    assert told.to == "mentor-a@police.invalid"
    assert "do not contact" in told.body_text
    page = client_for(mentor).get(reverse("mentoring:assignment", args=[assignment.pk])).content.decode()
    assert "Log a contact" not in page
    assert "Ended by the coordinator" not in page  # the reason is for coordinators


def test_mentor_home_due_list(client_for, mentor, assignment, programme_a):
    overdue = services.mentor_assignment_create(
        placement=make_eligible(programme_a), mentor=mentor.force_person, actor=None
    )
    MentorAssignment.objects.filter(pk=overdue.pk).update(next_due_on=timezone.localdate() - timedelta(days=9))
    response = client_for(mentor).get(reverse("mentoring:mentor_home"))
    assert response.status_code == 200
    active = response.context["active"]
    assert [a.pk for a in active] == [overdue.pk, assignment.pk]  # most overdue first
    body = response.content.decode()
    assert "Overdue 9 days" in body
    assert "1 contact overdue" in body


# --- constant query counts -----------------------------------------------------------------------


def _more_mentoring(programme, count):
    force = programme.force
    for index in range(count):
        person = f.ForcePersonFactory(force=force, is_mentor=True)
        placement = make_eligible(programme)
        assignment = services.mentor_assignment_create(placement=placement, mentor=person, actor=None)
        MentorContact.objects.create(
            assignment=assignment, contacted_on=timezone.localdate(), method="phone", summary="Hi"
        )
        Outcome.objects.create(
            placement=placement, milestone=Outcome.Milestone.JOINED_CADETS, occurred_on=date(2027, 9, 1)
        )
        if index % 2:
            MentorAssignment.objects.filter(pk=assignment.pk).update(next_due_on=date(2027, 1, 1))
        make_eligible(programme)  # one waiting for a mentor
    f.ProgrammeFactory(force=force)


@pytest.mark.parametrize(
    ("who", "name", "args"),
    [
        ("coordinator", "mentoring:dashboard", False),
        ("coordinator", "mentoring:programme", True),
        ("mentor", "mentoring:mentor_home", False),
        ("coordinator", "placements:programme_detail", True),
    ],
)
def test_list_pages_keep_a_constant_query_count(
    request, client_for, django_assert_max_num_queries, who, name, args, assignment, programme_a
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    url = reverse(name, args=[programme_a.pk] if args else [])
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    _more_mentoring(programme_a, 6)
    if who == "mentor":  # the mentor's own list grows too
        for _ in range(4):
            services.mentor_assignment_create(
                placement=make_eligible(programme_a), mentor=user.force_person, actor=None
            )
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        assert client.get(url).status_code == 200
    print(f"{name}: {len(few.captured_queries)} queries before, {len(many.captured_queries)} after")


def test_placement_milestones_three_ways(client_for, coordinator, coordinator_b, mentor, programme_a):
    placement = f.PlacementFactory(programme=programme_a)  # never mentored: outcomes are still recorded
    url = reverse("mentoring:placement_outcomes", args=[placement.pk])
    data = {"milestone": Outcome.Milestone.APPLIED_STAFF, "occurred_on": "2027-08-01", "note": "Call handler"}
    assert_login_redirect(client_for(None).get(url))
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(coordinator_b).post(url, data).status_code == 404
    assert client_for(mentor).get(url).status_code == 403
    client = client_for(coordinator)
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    assert list(placement.outcomes.values_list("milestone", "note")) == [("applied_staff", "Call handler")]
    bad = client.post(url, {**data, "occurred_on": "2027-07-01"})  # before the programme began
    assert bad.status_code == 400
    assert "before the student" in bad.content.decode()
    assert placement.outcomes.get().occurred_on == date(2027, 8, 1)


def test_pipeline_counts_each_student_once_per_stage(client_for, coordinator, programme_a, mentor_person):
    placements = [make_eligible(programme_a) for _ in range(4)]
    services.mentor_assignment_create(placement=placements[0], mentor=mentor_person, actor=None)
    services.mentor_assignment_create(placement=placements[1], mentor=mentor_person, actor=None)
    for placement, milestone in [
        (placements[0], Outcome.Milestone.APPLIED_OFFICER),
        (placements[0], Outcome.Milestone.APPLIED_STAFF),  # two applications, one student
        (placements[0], Outcome.Milestone.RECRUITED),
        (placements[2], Outcome.Milestone.JOINED_CADETS),
        (placements[3], Outcome.Milestone.LOST_CONTACT),
    ]:
        Outcome.objects.create(placement=placement, milestone=milestone, occurred_on=date(2027, 8, 1))
    response = client_for(coordinator).get(reverse("mentoring:dashboard"))
    [programme] = response.context["pipeline"]
    stages = {key: getattr(programme, key) for key, _l, _m in response.context["stages"]}
    assert stages == {"took_part": 4, "mentored": 2, "cadets": 1, "specials": 0, "applied": 1, "recruited": 1}
    assert programme.lost_contact == 1
    bars = {bar["key"]: bar["width"] for bar in response.context["chart"]["groups"][0]["bars"]}
    assert bars["took_part"] > bars["mentored"] > bars["recruited"] > bars["specials"] == 0


def test_pipeline_chart_draws_the_newest_programmes_and_the_table_keeps_all(client_for, coordinator, programme_a):
    """A force's whole history would be a chart nobody reads (and thousands of numbers to write): the chart
    draws the newest eight programmes, the table under it every one, and a sentence says so."""
    from mentoring.selectors import CHART_PROGRAMMES

    programmes = [
        f.ProgrammeFactory(
            force=programme_a.force,
            title=f"Week of {2015 + n}",
            start_date=date(2015 + n, 7, 6),
            end_date=date(2015 + n, 7, 10),
            nomination_opens=date(2015 + n, 1, 5),
            nomination_closes=date(2015 + n, 4, 30),
        )
        for n in range(CHART_PROGRAMMES + 2)
    ]
    for programme in programmes:
        Outcome.objects.create(
            placement=f.PlacementFactory(programme=programme),
            milestone=Outcome.Milestone.JOINED_CADETS,
            occurred_on=programme.end_date + timedelta(days=60),
        )
    response = client_for(coordinator).get(reverse("mentoring:dashboard"))
    page = response.content.decode()
    drawn = [group["programme"].title for group in response.context["chart"]["groups"]]
    assert drawn == [p.title for p in programmes[-CHART_PROGRAMMES:]]  # newest eight, oldest first
    assert [p.title for p in response.context["pipeline"]] == [p.title for p in programmes]
    assert f"The chart shows the {CHART_PROGRAMMES} newest programmes. The table below has all 10." in page
    svg = page[page.index("<svg viewBox") : page.index("</svg>")]
    assert "Week of 2016" not in svg and "Week of 2017" in svg and "Week of 2024" in svg
