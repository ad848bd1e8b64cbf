"""The live-worker fixture waits on results even when eager tasks, run in several threads at once, left Celery
believing a task is running in this process (its flag is process-wide; each eager call restores the value it
found, which another thread had just set)."""

import pytest
from celery.result import denied_join_result

from core.tasks import ping

pytestmark = pytest.mark.live_services


@pytest.fixture
def flag_left_set():
    """The state a concurrency test's threads can leave behind, set on purpose."""
    leftover = denied_join_result()
    leftover.__enter__()
    yield
    leftover.__exit__(None, None, None)


def test_a_live_test_can_wait_on_a_result_after_eager_tasks_ran_in_threads(flag_left_set, live_worker):
    assert ping.apply_async().get(timeout=30) is True
