"""The questions a student is asked are kept per survey and syndicate until a survey or the timetable changes."""

import pytest

from placements.models import Programme, Session
from placements.signals import timetable_changed
from surveys.models import Invitation
from surveys.services import questions_for_invitation, survey_setup_programme
from tests import factories as f

from .conftest import make_week


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request):
    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    return None


def _invitation(programme, placement):
    """As a request loads it (surveys.selectors), fresh from the database."""
    return Invitation.objects.select_related("survey", "placement").get(
        survey__programme=programme, survey__phase="post", placement=placement
    )


def _codes(programme, placement):
    return [q.code for q in questions_for_invitation(_invitation(programme, placement))]


def test_a_classmate_asks_the_database_nothing_more(any_cache, programme_a, django_assert_num_queries):
    _surveys, placements = make_week(programme_a, students=2)
    first = _codes(programme_a, placements[0])
    invitation = _invitation(programme_a, placements[1])
    with django_assert_num_queries(0):
        again = [q.code for q in questions_for_invitation(invitation)]
    assert again == first
    assert {"activity:dogs", "activity:drones"} <= set(first)


def test_each_syndicate_is_asked_about_its_own_sessions(any_cache, programme_a):
    _surveys, placements = make_week(programme_a, students=1, activities=("dogs",))
    other = f.SyndicateFactory(programme=programme_a, name="Syndicate 2")
    boats = f.ActivityFactory(force=programme_a.force, slug="boats", title="Boats")
    session = f.SessionFactory(programme=programme_a, activity=boats)
    session.syndicates.add(other)
    classmate = f.PlacementFactory(programme=programme_a, syndicate=other)
    survey_setup_programme(programme=programme_a)  # the boats question (bulk_create) and the classmate's link
    assert "activity:dogs" in _codes(programme_a, placements[0])
    assert "activity:boats" not in _codes(programme_a, placements[0])
    assert "activity:boats" in _codes(programme_a, classmate)
    assert "activity:dogs" not in _codes(programme_a, classmate)


def test_a_session_added_or_cancelled_shows_at_once(any_cache, programme_a):
    _surveys, placements = make_week(programme_a, students=1, activities=("dogs", "drones"))
    assert "activity:drones" in _codes(programme_a, placements[0])
    session = Session.objects.get(programme=programme_a, activity__slug="drones")
    session.status = Session.Status.CANCELLED
    session.save()
    assert "activity:drones" not in _codes(programme_a, placements[0])
    session.status = Session.Status.PLANNED
    session.save()
    assert "activity:drones" in _codes(programme_a, placements[0])
    session.syndicates.clear()  # m2m_changed
    assert "activity:drones" not in _codes(programme_a, placements[0])


def test_an_edited_question_reads_as_edited(any_cache, programme_a):
    _surveys, placements = make_week(programme_a, students=1)
    invitation = _invitation(programme_a, placements[0])
    question = next(q for q in questions_for_invitation(invitation) if q.code == "approachability")
    question.text_cy = "Pa mor hawdd yw siarad â'r heddlu? (newydd)"
    question.save()
    again = next(q for q in questions_for_invitation(invitation) if q.code == "approachability")
    assert again.text_cy.endswith("(newydd)")
    question.delete()
    assert "approachability" not in _codes(programme_a, placements[0])


def test_a_generated_timetable_counts_though_bulk_writes_send_no_signal(any_cache, programme_a):
    _surveys, placements = make_week(programme_a, students=1, activities=("dogs", "drones"))
    assert "activity:drones" in _codes(programme_a, placements[0])
    # As placements.services.timetable_generate writes: rows without signals, then timetable_changed.
    through = Session.syndicates.through
    through.objects.filter(session__activity__slug="drones").delete()  # a queryset delete of m2m rows: no signal
    assert "activity:drones" in _codes(programme_a, placements[0])  # still the cached list …
    timetable_changed.send(sender=Session, programme=Programme.objects.get(pk=programme_a.pk))
    assert "activity:drones" not in _codes(programme_a, placements[0])  # … until the timetable is said to change
