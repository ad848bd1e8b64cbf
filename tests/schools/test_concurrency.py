"""Two contacts submitting the last quota place at the same moment: exactly one succeeds (PostgreSQL)."""

import threading
import time

import pytest
from django.db import connection, connections

from schools import services
from schools.models import Nomination
from schools.services import nominations as nomination_services
from tests import factories as f
from tests.schools.conftest import student

pytestmark = pytest.mark.live_services


@pytest.mark.django_db(transaction=True)
def test_last_quota_place_goes_to_exactly_one_of_two_concurrent_contacts(postgres, open_programme, school_a):
    allocation = f.AllocationFactory(programme=open_programme, institution=school_a, quota=2)
    first = f.UserFactory(username="first")
    second = f.UserFactory(username="second")
    services.nomination_submit(allocation=allocation, data=student(open_programme, last_name="Already"), actor=first)

    barrier = threading.Barrier(2)
    results = {}

    def submit(user, last_name):
        try:
            barrier.wait(timeout=10)
            services.nomination_submit(
                allocation=allocation, data=student(open_programme, last_name=last_name), actor=user
            )
            results[last_name] = "ok"
        except services.SchoolsError as error:
            results[last_name] = error.message
        finally:
            connections.close_all()

    # Slow the window between the lock and the insert so, without the row lock, both would pass the count.
    original_check = nomination_services._check_student

    def slow_check(programme, data):
        time.sleep(0.3)
        return original_check(programme, data)

    nomination_services._check_student = slow_check
    try:
        threads = [threading.Thread(target=submit, args=(u, n)) for u, n in ((first, "Left"), (second, "Right"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        nomination_services._check_student = original_check
    assert list(results.values()).count("ok") == 1
    assert any("used all 2 of its places" in v for v in results.values())
    assert Nomination.objects.filter(institution=school_a, programme=open_programme).count() == 2
    assert connection.vendor == "postgresql"
