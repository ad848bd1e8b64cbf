"""Bulk issue (idempotent, resumable), the contacts' emails, revoke and reissue keeping history."""

import io
from datetime import date

import pytest
import time_machine
from auditlog.models import LogEntry
from pypdf import PdfReader

from certificates import selectors, services
from certificates.models import Certificate, IssueJob
from core.models import OutboundEmail
from tests import factories as f

from .conftest import student


def _text(certificate):
    with certificate.pdf.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()


def test_bulk_issue_gives_each_eligible_student_one_certificate(cohort, ended_programme, coordinator, issue):
    job = issue(ended_programme, coordinator)
    job.refresh_from_db()
    assert (job.status, job.issued, job.total) == (IssueJob.Status.DONE, 4, 4)
    certificates = Certificate.objects.filter(placement__programme=ended_programme)
    assert sorted(c.placement_id for c in certificates) == sorted(cohort[k].pk for k in ("a1", "a2", "a3", "b1"))
    assert sorted(c.serial for c in certificates) == [1, 2, 3, 4]
    assert len({c.verification_code for c in certificates}) == 4
    ben = certificates.get(placement=cohort["a2"])
    assert ben.printed_name == "Ben Brown" and ben.issued_by == coordinator
    text = _text(ben)
    assert "Ben Brown" in text and services.rendering.format_code(ben.verification_code) in text


def test_issuing_again_adds_nothing_and_emails_nobody_twice(
    cohort, ended_programme, coordinator, school_a, school_b, issue
):
    contact_a = f.InstitutionContactFactory(institution=school_a, email="head@a.invalid")
    f.InstitutionContactFactory(institution=school_b, email="head@b.invalid")
    f.InstitutionContactFactory(institution=school_b, email="gone@b.invalid", is_active=False)
    issue(ended_programme, coordinator)
    first = list(Certificate.objects.values_list("pk", "verification_code"))
    emails = OutboundEmail.objects.filter(kind="certificates_ready")
    assert sorted(emails.values_list("to", flat=True)) == ["head@a.invalid", "head@b.invalid"]
    body = emails.get(to=contact_a.email).body_text
    assert f"/certificates/programmes/{ended_programme.pk}/" in body and "3 certificates" in body

    job = issue(ended_programme, coordinator)
    job.refresh_from_db()
    assert job.total == 0 and job.issued == 0
    assert list(Certificate.objects.values_list("pk", "verification_code")) == first
    assert emails.count() == 2


def test_a_run_killed_midway_then_rerun_ends_with_exactly_one_each(cohort, ended_programme, coordinator):
    # The worker died after its first chunk: two certificates stored, the job left "running".
    job = IssueJob.objects.create(programme=ended_programme, status=IssueJob.Status.RUNNING, total=4)
    pending = selectors.placements_to_issue(programme=ended_programme)
    services.certificate_issue_batch(programme=ended_programme, rows=pending[:2])
    # Celery redelivers the task (acks_late); the same job carries on.
    services.certificate_issue_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == IssueJob.Status.DONE
    counts = [Certificate.objects.filter(placement=cohort[k]).count() for k in ("a1", "a2", "a3", "b1", "short")]
    assert counts == [1, 1, 1, 1, 0]
    # A batch handed rows that were issued meanwhile skips them instead of duplicating.
    assert services.certificate_issue_batch(programme=ended_programme, rows=pending) == []
    assert Certificate.objects.count() == 4


def test_a_stale_running_job_does_not_block_a_new_run(cohort, ended_programme, coordinator, issue):
    with time_machine.travel("2026-11-01 10:00 +0000"):
        stale = IssueJob.objects.create(programme=ended_programme, status=IssueJob.Status.RUNNING, total=4)
    job = issue(ended_programme, coordinator)
    stale.refresh_from_db()
    assert job.pk != stale.pk and stale.status == IssueJob.Status.FAILED
    assert Certificate.objects.count() == 4


def test_cannot_issue_before_the_last_day_or_without_a_template(
    programme_a, school_a, ended_programme, coordinator, issue
):
    with pytest.raises(services.CertificateError, match="no certificate template"):
        issue(ended_programme, coordinator)
    f.CertificateTemplateFactory(force=programme_a.force)
    student(programme_a, school_a, days=0)
    with time_machine.travel(date(2027, 7, 15)), pytest.raises(services.CertificateError, match="last day"):
        services.certificate_issue_job_start(programme=programme_a, actor=coordinator)
    assert not IssueJob.objects.exists()


def test_revoke_only_keeps_the_record_and_the_student_is_issued_again_with_a_new_serial(
    cohort, ended_programme, coordinator, issue
):
    issue(ended_programme, coordinator)
    certificate = Certificate.objects.get(placement=cohort["a1"])
    with pytest.raises(services.CertificateError):
        services.certificate_revoke(certificate=certificate, actor=coordinator, reason="  ")
    services.certificate_revoke(certificate=certificate, actor=coordinator, reason="Surname misspelt")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and certificate.revoked_reason == "Surname misspelt"
    assert certificate.revoked_at is not None
    with pytest.raises(services.CertificateError, match="already revoked"):
        services.certificate_revoke(certificate=certificate, actor=coordinator, reason="again")

    # Revoked and not reissued: Alice counts as still to issue, and the next issue includes her.
    assert [row.placement for row in selectors.placements_to_issue(programme=ended_programme)] == [cohort["a1"]]
    section = selectors.section_context(ended_programme, request=None)
    assert (section["to_issue"], section["revoked_to_issue"]) == (1, 1)
    job = issue(ended_programme, coordinator)
    job.refresh_from_db()
    assert (job.total, job.issued) == (1, 1)
    new = Certificate.objects.get(placement=cohort["a1"], status=Certificate.Status.VALID)
    assert new.serial == 5 and new.verification_code != certificate.verification_code
    assert new.replaces == certificate and new.printed_name == "Alice Adams"
    assert LogEntry.objects.filter(additional_data__action="Certificate revoked").count() == 1
    reissued = LogEntry.objects.get(additional_data__action="Certificate reissued")
    assert reissued.additional_data["serial"] == 5 and reissued.additional_data["replaces_serial"] == 1

    # Issued again: nobody is left to issue, and a further run adds nothing.
    assert selectors.placements_to_issue(programme=ended_programme) == []
    issue(ended_programme, coordinator)
    assert Certificate.objects.filter(placement=cohort["a1"]).count() == 2


def test_a_revoked_student_who_is_no_longer_eligible_is_not_issued_again(cohort, ended_programme, coordinator, issue):
    from placements.models import Placement

    issue(ended_programme, coordinator)
    certificate = Certificate.objects.get(placement=cohort["a2"])
    services.certificate_revoke(certificate=certificate, actor=coordinator, reason="Left on day one")
    certificate.refresh_from_db()
    Placement.objects.filter(pk=cohort["a2"].pk).update(status=Placement.Status.WITHDRAWN)
    assert selectors.placements_to_issue(programme=ended_programme) == []
    assert "Withdrawn from the programme" in selectors.reissue_refusal(certificate=certificate)
    with pytest.raises(services.CertificateError, match="not due a certificate"):
        services.certificate_reissue(certificate=certificate, actor=coordinator, printed_name="Ben Brown")
    issue(ended_programme, coordinator)
    assert Certificate.objects.filter(placement=cohort["a2"]).count() == 1


def test_a_revoked_certificate_is_corrected_once(cohort, ended_programme, coordinator, issue):
    issue(ended_programme, coordinator)
    old = Certificate.objects.get(placement=cohort["a3"])
    services.certificate_revoke(certificate=old, actor=coordinator, reason="Surname misspelt")
    new = services.certificate_reissue(certificate=old, actor=coordinator, printed_name=" Cara  Clarke ")
    old.refresh_from_db()
    assert old.status == Certificate.Status.REVOKED and old.revoked_reason == "Surname misspelt"
    assert new.replaces == old and new.printed_name == "Cara Clarke" and "Cara Clarke" in _text(new)
    with pytest.raises(services.CertificateError, match="already replaced by certificate 000005"):
        services.certificate_reissue(certificate=old, actor=coordinator, printed_name="Cara Clark")
    assert Certificate.objects.filter(placement=cohort["a3"], status=Certificate.Status.VALID).count() == 1


def test_reissue_with_a_corrected_name_replaces_and_keeps_history(cohort, ended_programme, coordinator, issue):
    issue(ended_programme, coordinator)
    old = Certificate.objects.get(placement=cohort["a2"])
    new = services.certificate_reissue(certificate=old, actor=coordinator, printed_name="  Benjamin   Brown ")
    old.refresh_from_db()
    assert old.status == Certificate.Status.REVOKED and old.revoked_reason == "Reissued as Benjamin Brown"
    assert new.replaces == old and new.status == Certificate.Status.VALID
    assert new.serial == 5 and new.verification_code != old.verification_code
    assert new.printed_name == "Benjamin Brown" and "Benjamin Brown" in _text(new)
    assert old.replaced_by == new
    with pytest.raises(services.CertificateError):
        services.certificate_reissue(certificate=old, actor=coordinator, printed_name="Ben")


def test_serials_are_per_force(cohort, ended_programme, coordinator, force_b, issue):
    issue(ended_programme, coordinator)
    other = f.ProgrammeFactory(
        force=force_b,
        start_date=ended_programme.start_date,
        end_date=ended_programme.end_date,
        nomination_opens=ended_programme.nomination_opens,
        nomination_closes=ended_programme.nomination_closes,
    )
    f.CertificateTemplateFactory(force=force_b)
    school = f.InstitutionFactory(force=force_b)
    student(other, school, days=5)
    issue(other)
    assert list(Certificate.objects.filter(force=force_b).values_list("serial", flat=True)) == [1]


def test_beat_issues_for_programmes_that_have_ended(
    cohort, ended_programme, programme_a, school_a, django_capture_on_commit_callbacks
):
    student(programme_a, school_a, days=5)  # programme_a (July 2027) has not ended: nothing for it
    from certificates.tasks import issue_certificates_for_ended_programmes

    with time_machine.travel("2026-07-17 18:00 +0100"), django_capture_on_commit_callbacks(execute=True):
        issue_certificates_for_ended_programmes.delay()
    assert Certificate.objects.filter(placement__programme=ended_programme).count() == 4
    assert not Certificate.objects.filter(placement__programme=programme_a).exists()
    with time_machine.travel("2026-07-18 18:00 +0100"), django_capture_on_commit_callbacks(execute=True):
        issue_certificates_for_ended_programmes.delay()
    assert IssueJob.objects.count() == 1  # nothing left to issue, so no second job
    with time_machine.travel("2026-07-16 18:00 +0100"):
        assert services.certificate_issue_due_programmes() == []  # not before the last day


def test_the_beat_leaves_a_revoked_students_correction_to_the_coordinator(
    cohort, ended_programme, coordinator, school_a, issue, django_capture_on_commit_callbacks
):
    from certificates.tasks import issue_certificates_for_ended_programmes

    issue(ended_programme, coordinator)
    revoked = Certificate.objects.get(placement=cohort["a1"])
    services.certificate_revoke(certificate=revoked, actor=coordinator, reason="Surname misspelt")
    with time_machine.travel("2026-07-18 18:00 +0100"), django_capture_on_commit_callbacks(execute=True):
        issue_certificates_for_ended_programmes.delay()
    assert IssueJob.objects.count() == 1  # only a revoked student is due: the beat starts nothing
    late = student(ended_programme, school_a, days=5, first="Finn", last="Ford")  # attendance entered late
    with time_machine.travel("2026-07-18 19:00 +0100"), django_capture_on_commit_callbacks(execute=True):
        issue_certificates_for_ended_programmes.delay()
    job = IssueJob.objects.latest("pk")
    assert (job.status, job.total, job.issued) == (IssueJob.Status.DONE, 1, 1)
    assert Certificate.objects.filter(placement=late, status=Certificate.Status.VALID).exists()
    assert not Certificate.objects.filter(placement=cohort["a1"], status=Certificate.Status.VALID).exists()
    assert [row.placement for row in selectors.placements_to_issue(programme=ended_programme)] == [cohort["a1"]]


def test_the_task_has_time_limits_and_a_timeout_marks_the_job_failed(ended_programme, template_a, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from certificates import tasks

    task = tasks.issue_programme_certificates
    assert (task.soft_time_limit, task.time_limit, task.acks_late) == (240, 300, True)
    job = IssueJob.objects.create(programme=ended_programme, status=IssueJob.Status.RUNNING, total=3)

    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "certificate_issue_job_run", too_slow)
    with pytest.raises(SoftTimeLimitExceeded):
        task(job.pk)
    job.refresh_from_db()
    assert job.status == IssueJob.Status.FAILED and "Timed out" in job.error
