"""A real Celery worker on Redis issues a cohort; running the issue again adds nothing."""

import pytest

from certificates import services
from certificates.models import Certificate, IssueJob
from tests.conftest import wait_for

pytestmark = pytest.mark.live_services


@pytest.fixture
def shared_media(monkeypatch, settings):
    """The worker is another process: point its media root at this test's (before it starts)."""
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(settings.MEDIA_ROOT))


def _finished(job):
    job.refresh_from_db()
    return job.status in (IssueJob.Status.DONE, IssueJob.Status.FAILED)


def test_a_worker_issues_the_cohort_and_a_second_run_adds_nothing(
    shared_media, live_worker, cohort, ended_programme, coordinator
):
    job = services.certificate_issue_job_start(programme=ended_programme, actor=coordinator)
    assert wait_for(lambda: _finished(job), timeout=90)
    assert (job.status, job.issued, job.total) == (IssueJob.Status.DONE, 4, 4)
    first = sorted(Certificate.objects.values_list("placement_id", "serial", "verification_code"))
    assert len(first) == 4
    assert all(c.pdf and c.pdf.size > 1000 for c in Certificate.objects.all())

    again = services.certificate_issue_job_start(programme=ended_programme, actor=coordinator)
    assert again.pk != job.pk
    assert wait_for(lambda: _finished(again), timeout=90)
    assert (again.status, again.issued) == (IssueJob.Status.DONE, 0)
    assert sorted(Certificate.objects.values_list("placement_id", "serial", "verification_code")) == first
