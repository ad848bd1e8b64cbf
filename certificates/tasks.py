from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=240, time_limit=300)
def issue_programme_certificates(job_id, include_revoked=True):
    """Bulk issue for one job. Redelivered if the worker dies; the run only issues what is missing."""
    try:
        job = services.certificate_issue_job_run(job_id=job_id, include_revoked=include_revoked)
    except SoftTimeLimitExceeded:
        services.issue_job_fail(job_id=job_id, error="Timed out; start the issue again to finish it.")
        raise
    except services.CertificateError as exc:
        services.issue_job_fail(job_id=job_id, error=str(exc))
        return None
    return job.issued


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def issue_certificates_for_ended_programmes():
    """Beat: at the end of each programme, issue the certificates that are due."""
    return [job.pk for job in services.certificate_issue_due_programmes()]
