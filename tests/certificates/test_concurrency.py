"""Two bulk issues racing for one programme (PostgreSQL row locks) still give one certificate each."""

import threading

import pytest
from django.db import connection

from certificates import services
from certificates.models import Certificate, IssueJob

from .conftest import student

pytestmark = pytest.mark.live_services


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_issue_each_certificate_once(postgres, ended_programme, template_a, school_a, monkeypatch):
    placements = [student(ended_programme, school_a, days=5, first=f"Racer{i}") for i in range(12)]
    monkeypatch.setattr(services, "CHUNK_SIZE", 5)
    jobs = [IssueJob.objects.create(programme=ended_programme) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def run(job):
        try:
            barrier.wait()
            services.certificate_issue_job_run(job_id=job.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(Certificate.objects.values_list("placement_id", flat=True)) == sorted(p.pk for p in placements)
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == list(range(1, 13))
    done = IssueJob.objects.filter(status=IssueJob.Status.DONE)
    assert done.count() == 2 and sum(job.issued for job in done) == 12


@pytest.mark.django_db(transaction=True)
def test_a_correction_racing_a_bulk_issue_gives_one_valid_certificate_and_no_deadlock(
    postgres, ended_programme, template_a, school_a, coordinator
):
    """Both take the force's serial counter first, so they queue: whichever comes second finds it done."""
    placements = [student(ended_programme, school_a, days=5, first=f"Racer{i}") for i in range(6)]
    services.certificate_issue_batch(
        programme=ended_programme, rows=services.selectors.placements_to_issue(programme=ended_programme)
    )
    revoked = Certificate.objects.get(placement=placements[0])
    services.certificate_revoke(certificate=revoked, actor=coordinator, reason="Surname misspelt")
    job = IssueJob.objects.create(programme=ended_programme)
    barrier = threading.Barrier(2)
    errors, refused = [], []

    def correct():
        try:
            barrier.wait()
            services.certificate_reissue(certificate=revoked, actor=coordinator, printed_name="Racer Zero")
        except services.CertificateError as exc:
            refused.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def bulk():
        try:
            barrier.wait()
            services.certificate_issue_job_run(job_id=job.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=correct), threading.Thread(target=bulk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    valid = Certificate.objects.filter(placement=placements[0], status=Certificate.Status.VALID)
    assert valid.count() == 1 and valid.get().replaces_id == revoked.pk
    assert len(refused) <= 1 and all("already" in message for message in refused)
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == list(range(1, 8))
