"""The coordinator's audit trail reads in words: labels not field names, names not ids, restricted values
hidden; it filters by student, person, kind and dates, stays within the force, and costs the same
number of queries whatever the page's size."""

import re
from datetime import timedelta

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_action, record_sensitive_read
from tests import factories as f

URL = reverse("audit_trail")


def _words(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").replace("&quot;", '"')


def _entries(response):
    """The words of the trail's entries (not the filter form), as a reader sees them."""
    html = response.content.decode()
    start = html.index('<ol class="list-unstyled trail">')
    return _words(html[start : html.index("</ol>", start)])


def test_changes_read_as_sentences_with_labels_and_display_values(client, coordinator, programme_a, school_a):
    other_school = f.InstitutionFactory(force=programme_a.force, name="Oakfield School")
    nomination = f.NominationFactory(programme=programme_a, institution=school_a, first_name="Amy", last_name="Stone")
    with set_actor(coordinator):
        nomination.status = "offered"
        nomination.institution = other_school
        nomination.police_first_choice = True
        nomination.save()
    client.force_login(coordinator)
    text = _entries(client.get(URL))
    assert "changed the nomination of Amy Stone" in text
    assert "Status from Submitted to Offered a place" in text
    assert "Institution from School A to Oakfield School" in text
    assert "Police was the student's first choice of placement from no to yes" in text
    assert str(coordinator) in text
    # No field names, no codes, no ids.
    for raw in ("police_first_choice", "institution_id", "from submitted", f"#{nomination.pk}", "nomination #"):
        assert raw not in text, raw


def test_one_change_is_one_sentence_with_the_time(client, coordinator, programme_a):
    nomination = f.NominationFactory(programme=programme_a, first_name="Ben", last_name="Hale")
    with set_actor(coordinator):
        nomination.year_group = "Year 11"
        nomination.save()
    entry = LogEntry.objects.get_for_object(nomination).filter(action=LogEntry.Action.UPDATE).get()
    LogEntry.objects.filter(pk=entry.pk).update(timestamp=timezone.make_aware(timezone.datetime(2026, 3, 12, 14, 5)))
    client.force_login(coordinator)
    text = _entries(client.get(URL))
    assert "changed the nomination of Ben Hale: year group from Year 10 to Year 11 12 March 2026, 14:05" in text


def test_restricted_values_are_never_shown(client, coordinator, programme_a):
    nomination = f.NominationFactory(programme=programme_a, medical_notes="Asthma, inhaler", support_needs="")
    with set_actor(coordinator):
        nomination.medical_notes = "Severe peanut allergy"
        nomination.support_needs = "Extra time to read"
        nomination.first_name = "Zebedee"
        nomination.save()
    record_sensitive_read(nomination)
    placement = f.PlacementFactory(programme=programme_a, nomination=nomination)
    assignment = f.MentorAssignmentFactory(placement=placement)
    f.MentorContactFactory(assignment=assignment, summary="Talked about home worries")
    client.force_login(coordinator)
    page = client.get(URL)
    text = _entries(page)
    assert "Medical notes changed (restricted)" in text
    assert "Support needs changed (restricted)" in text
    assert "First name changed (not shown)" in text
    assert "read the restricted notes of the nomination of" in text
    assert "Also recorded, not shown here: Summary" in text
    html = page.content.decode()
    for secret in ("peanut", "Asthma", "Extra time", "home worries", "[hidden]"):
        assert secret not in html, secret


def test_named_actions_read_with_their_details_in_words(client, coordinator, programme_a):
    syndicate = f.SyndicateFactory(programme=programme_a, name="Syndicate Blue")
    placement = f.PlacementFactory(programme=programme_a)
    audit_action(actor=coordinator, action="Syndicates built", instance=programme_a, syndicates=3)
    moved = "Student moved to another syndicate"
    audit_action(actor=coordinator, action=moved, instance=placement, syndicate=syndicate.pk)
    audit_action(actor=coordinator, action="Something new", instance=programme_a, placement=987654, schools_left=2)
    client.force_login(coordinator)
    text = _entries(client.get(URL))
    assert f"{coordinator}: Syndicates built — the programme “Force A week” Syndicates: 3" in text
    assert f"{moved} — the placement of {placement.nomination} Syndicate: Syndicate Blue" in text
    # A number nobody declared as a row is not shown as a number.
    assert "Placement: another record" in text and "987654" not in text
    assert "Schools left: 2" in text  # a count is shown
    assert f"#{placement.pk}" not in text


def test_an_erased_or_deleted_student_is_not_named_by_number(client, coordinator, programme_a):
    nomination = f.NominationFactory(programme=programme_a)
    nomination.first_name, nomination.last_name = "Erased", f"#{nomination.pk}"
    nomination.save()
    client.force_login(coordinator)
    text = _entries(client.get(URL))
    assert "the nomination of an erased student" in text
    assert f"#{nomination.pk}" not in text


def test_another_forces_entries_never_appear(client, coordinator, programme_a, programme_b):
    mine = f.NominationFactory(programme=programme_a, first_name="Sam", last_name="Mine")
    theirs = f.NominationFactory(programme=programme_b, first_name="Sam", last_name="Theirs")
    audit_action(actor=None, action="Timetable generated", instance=programme_b, sessions=4)
    client.force_login(coordinator)
    for query in ({}, {"student": "Sam"}):
        response = client.get(URL, query)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Theirs" not in html and "Force B week" not in html
        assert "Timetable generated" not in html  # not even as a choice of the "What" filter
        assert {entry.additional_data["force"] for entry in response.context["page"]} == {programme_a.force_id}
    assert "Sam Mine" in _entries(client.get(URL, {"student": "Sam"}))
    # Force B's named action is not a choice here: asking for it is refused, and shows nothing.
    refused = client.get(URL, {"kind": "action:Timetable generated"})
    assert refused.status_code == 400 and list(refused.context["page"]) == []
    assert LogEntry.objects.get_for_object(theirs).exists()  # there was something to leak
    assert LogEntry.objects.get_for_object(mine).exists()


def test_student_filter_finds_every_record_about_the_student(client, coordinator, programme_a):
    amy = f.NominationFactory(programme=programme_a, first_name="Amy", last_name="Stone")
    f.ConsentFactory(nomination=amy)
    placement = f.PlacementFactory(programme=programme_a, nomination=amy)
    f.AttendanceFactory(placement=placement)
    bob = f.NominationFactory(programme=programme_a, first_name="Bob", last_name="Reed")
    f.ConsentFactory(nomination=bob)
    client.force_login(coordinator)
    response = client.get(URL, {"student": "amy sto"})
    text = _entries(response)
    for record in ("nomination", "consent", "placement", "attendance"):
        assert f"added the {record} of Amy Stone" in text, record
    assert "Bob Reed" not in text
    assert response.context["page"].paginator.count == 4


def test_person_kind_and_date_filters(client, coordinator, programme_a):
    other = f.UserFactory(username="other-coord", first_name="Olive", last_name="Other")
    f.ForcePersonFactory(force=programme_a.force, user=other, is_coordinator=True)
    nomination = f.NominationFactory(programme=programme_a, first_name="Cat", last_name="Vale")
    with set_actor(other):
        nomination.year_group = "Year 12"
        nomination.save()
    old = audit_action(actor=coordinator, action="Syndicates built", instance=programme_a, syndicates=2)
    LogEntry.objects.filter(pk=old.pk).update(timestamp=timezone.now() - timedelta(days=40))
    client.force_login(coordinator)

    by_person = client.get(URL, {"person": other.pk})
    assert by_person.status_code == 200
    assert "Olive Other changed the nomination of Cat Vale" in _entries(by_person)
    assert "Syndicates built" not in _entries(by_person)

    by_kind = client.get(URL, {"kind": "action:Syndicates built"})
    assert by_kind.context["page"].paginator.count == 1

    changed = client.get(URL, {"kind": "changed"})
    assert {e.action for e in changed.context["page"]} == {LogEntry.Action.UPDATE}
    assert "Syndicates built" not in _entries(changed)

    today = timezone.localdate()
    week_ago = today - timedelta(days=7)
    # The day, month and year boxes the page shows.
    boxes = {"date_from_day": week_ago.day, "date_from_month": week_ago.month, "date_from_year": week_ago.year}
    recent = client.get(URL, {**boxes, "date_to": today.isoformat()})
    assert recent.status_code == 200
    assert "Syndicates built" not in _entries(recent)
    assert "Cat Vale" in _entries(recent)
    older = client.get(URL, {"date_to": (today - timedelta(days=30)).isoformat()})
    assert older.context["page"].paginator.count == 1


def test_bad_filters_are_refused_with_a_message(client, coordinator, coordinator_b, programme_a):
    f.NominationFactory(programme=programme_a)
    client.force_login(coordinator)
    reversed_dates = client.get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert reversed_dates.status_code == 400
    assert "The end date must be on or after the start date." in reversed_dates.content.decode()
    assert client.get(URL, {"date_from": "31/02/2026"}).status_code == 400
    impossible = client.get(URL, {"date_to_day": "31", "date_to_month": "2", "date_to_year": "2026"})
    assert impossible.status_code == 400 and "as a real date" in impossible.content.decode()
    # Someone who never acted in this force's trail cannot be picked (nor learnt about).
    assert client.get(URL, {"person": coordinator_b.pk}).status_code == 400
    assert client.get(URL, {"kind": "nonsense"}).status_code == 400


def _fill(programme, count):
    for index in range(count):
        nomination = f.NominationFactory(programme=programme, first_name=f"Student{index}", last_name="Test")
        f.ConsentFactory(nomination=nomination)
        placement = f.PlacementFactory(programme=programme, nomination=nomination)
        audit_action(actor=None, action="Student moved to another syndicate", instance=placement, syndicate=None)


def test_query_count_is_the_same_for_a_small_and_a_full_page(
    client, coordinator, programme_a, django_assert_num_queries
):
    client.force_login(coordinator)
    _fill(programme_a, 2)
    client.get(URL, {"student": "Student1"})  # warm the session and content-type caches

    with CaptureQueriesContext(connection) as small:
        response = client.get(URL)
    assert len(response.context["rows"]) == 8
    _fill(programme_a, 12)
    with django_assert_num_queries(len(small)):
        response = client.get(URL)
    assert len(response.context["rows"]) == 50  # a full page
    with django_assert_num_queries(len(small)):
        client.get(URL, {"student": "Student1"})


def test_the_trail_is_indexed_by_force_on_postgresql(postgres):
    """A coordinator's trail filters on the entry's force: an index keeps that from reading every force's entries."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'auditlog_logentry'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert any("additional_data -> 'force'" in definition for definition in definitions), definitions
