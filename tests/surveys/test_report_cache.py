"""A stored survey report is read again only while the answers behind it are unchanged (surveys/report_cache.py)."""

import threading

import pytest
from django.db import connections, transaction

from placements.models import Activity
from schools.models import Nomination
from surveys.models import Response
from surveys.report import programme_report, programme_reports
from surveys.report_cache import reports_changed
from surveys.services import responses_import_csv

from .conftest import make_week

# Reports are stored when the transaction commits, so these tests run outside the usual test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def _answer(programme, placements, pre=3, post=4):
    rows = ["placement,phase,question,answer"]
    for p in placements:
        rows += [
            f"{p.pk},pre,approachability,{pre}",
            f"{p.pk},post,approachability,{post}",
            f"{p.pk},post,activity:dogs,5",
        ]
    responses_import_csv(programme=programme, data="\n".join(rows))


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request):
    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    return None


def test_a_second_reading_asks_the_database_nothing(any_cache, programme_a, django_assert_num_queries):
    _surveys, placements = make_week(programme_a, students=3)
    _answer(programme_a, placements)
    first = programme_report(programme_a)
    with django_assert_num_queries(0):
        again = programme_report(programme_a)
    assert again == first
    assert again["respondents"]["paired"] == 3


def test_new_answers_show_at_once(any_cache, programme_a):
    _surveys, placements = make_week(programme_a, students=5)
    _answer(programme_a, placements[:2])
    assert programme_report(programme_a)["respondents"]["paired"] == 2
    _answer(programme_a, placements[2:], pre=1, post=5)
    report = programme_report(programme_a)
    assert report["respondents"]["paired"] == 5
    assert report["questions"][0]["post_mean"] == pytest.approx((4 * 2 + 5 * 3) / 5)


def test_deleted_responses_leave_the_report(any_cache, programme_a):
    _surveys, placements = make_week(programme_a, students=4)
    _answer(programme_a, placements)
    assert programme_report(programme_a)["respondents"]["paired"] == 4
    Response.objects.filter(invitation__placement=placements[0]).delete()
    assert programme_report(programme_a)["respondents"]["paired"] == 3
    placements[1].delete()  # retention removes a placement: its invitations and responses go with it
    assert programme_report(programme_a)["respondents"]["paired"] == 2


def test_a_changed_first_choice_shows_in_the_split(any_cache, programme_a):
    _surveys, placements = make_week(programme_a, students=3)
    Nomination.objects.filter(placement__in=placements).update(police_first_choice=True)
    _answer(programme_a, placements)
    assert programme_report(programme_a)["police_first_choice_pct"] == 100.0
    nomination = placements[0].nomination
    nomination.police_first_choice = False
    nomination.save()
    assert programme_report(programme_a)["police_first_choice_pct"] == pytest.approx(66.7)


def test_a_renamed_activity_and_programme_show(any_cache, programme_a):
    _surveys, placements = make_week(programme_a, students=2)
    _answer(programme_a, placements)
    assert programme_report(programme_a)["activities"][0]["title"] == "Activity dogs"
    activity = Activity.objects.get(force=programme_a.force, slug="dogs")
    activity.title = "Police dogs"
    activity.save()
    programme_a.title = "Summer week, renamed"
    report = programme_report(programme_a)
    assert report["activities"][0]["title"] == "Police dogs"
    assert report["programme"]["title"] == "Summer week, renamed"


def test_one_programmes_answers_leave_anothers_report_stored(programme_a, programme_b, django_assert_num_queries):
    _surveys, placements_a = make_week(programme_a, students=2)
    _surveys, placements_b = make_week(programme_b, students=3, activities=("dogs",))
    _answer(programme_b, placements_b)
    programme_reports([programme_a, programme_b])
    _answer(programme_a, placements_a)
    reports = programme_reports([programme_a, programme_b])
    assert reports[programme_a.pk]["respondents"]["paired"] == 2
    assert reports[programme_b.pk]["respondents"]["paired"] == 3
    with django_assert_num_queries(0):
        programme_reports([programme_b])


def test_a_rolled_back_change_leaves_nothing_wrong(programme_a):
    _surveys, placements = make_week(programme_a, students=3)
    _answer(programme_a, placements[:1])
    with pytest.raises(RuntimeError), transaction.atomic():
        _answer(programme_a, placements[1:])
        assert programme_report(programme_a)["respondents"]["paired"] == 3
        raise RuntimeError("the import failed later")
    assert programme_report(programme_a)["respondents"]["paired"] == 1


def test_many_changes_in_one_transaction_add_one_callback(programme_a, django_capture_on_commit_callbacks):
    with transaction.atomic(), django_capture_on_commit_callbacks() as callbacks:
        for _ in range(50):
            reports_changed([programme_a.pk])
            reports_changed()
    assert len(callbacks) == 2  # one per set of keys: this programme's, and every programme's


def test_after_a_rollback_the_next_transaction_forgets_again(programme_a, django_capture_on_commit_callbacks):
    _surveys, placements = make_week(programme_a, students=3)
    _answer(programme_a, placements[:1])
    with pytest.raises(RuntimeError), transaction.atomic():
        reports_changed([programme_a.pk])
        raise RuntimeError("rolled back: its callback is dropped")
    with transaction.atomic(), django_capture_on_commit_callbacks() as callbacks:
        reports_changed([programme_a.pk])
    assert len(callbacks) == 1
    # End to end: a report worked out before this transaction commits is not read after it.
    with transaction.atomic():
        _answer(programme_a, placements[1:])
        programme_report(programme_a)
    assert programme_report(programme_a)["respondents"]["paired"] == 3


def test_a_rolled_back_savepoint_does_not_swallow_a_later_change(programme_a, django_capture_on_commit_callbacks):
    with transaction.atomic(), django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            reports_changed([programme_a.pk])
            raise RuntimeError("the savepoint and its callback go")
        reports_changed([programme_a.pk])
    assert len(callbacks) == 1


def _report_elsewhere(programme):
    try:
        programme_report(programme)  # another request: it sees the answers committed so far, and stores its report
    finally:
        connections.close_all()


def test_a_report_read_by_another_request_before_each_commit_is_forgotten(programme_a):
    _surveys, placements = make_week(programme_a, students=3)
    for n in (1, 2, 3):  # each transaction, not only the first, forgets on its commit
        with transaction.atomic():
            _answer(programme_a, placements[n - 1 : n])
            other = threading.Thread(target=_report_elsewhere, args=(programme_a,))
            other.start()
            other.join()
        assert programme_report(programme_a)["respondents"]["paired"] == n
