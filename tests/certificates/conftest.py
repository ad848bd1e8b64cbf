from datetime import date, timedelta

import pytest
from django.core.cache import cache

from certificates.models import CertificateTemplate
from placements.models import Attendance, Placement
from tests import factories as f


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ended_programme(force_a):
    """A Monday-to-Friday week that has already happened."""
    return f.ProgrammeFactory(
        force=force_a,
        title="Summer school week",
        start_date=date(2026, 7, 13),
        end_date=date(2026, 7, 17),
        nomination_opens=date(2026, 1, 5),
        nomination_closes=date(2026, 4, 30),
    )


@pytest.fixture
def template_a(force_a):
    return CertificateTemplate.objects.create(
        force=force_a,
        programme_kind="school_week",
        name="School week",
        wording="for completing {programme_title} with {force_name}, {start_date} to {end_date} "
        "({hours_attended} hours).",
        signatory_name="Jane Smith",
        signatory_rank="Superintendent",
    )


def attend(placement, days, status=Attendance.Status.PRESENT):
    start = placement.programme.start_date
    for offset in range(days):
        f.AttendanceFactory(
            placement=placement,
            date=start + timedelta(days=offset),
            status=status,
            arrived_at="09:20" if status == Attendance.Status.LATE else None,
        )


def student(programme, institution, *, days, first="Sam", last=None, syndicate=None, status=None):
    nomination = f.NominationFactory(
        programme=programme, institution=institution, first_name=first, **({"last_name": last} if last else {})
    )
    placement = f.PlacementFactory(
        programme=programme,
        nomination=nomination,
        syndicate=syndicate,
        status=status or Placement.Status.CONFIRMED,
    )
    attend(placement, days)
    return placement


@pytest.fixture
def cohort(ended_programme, school_a, school_b, template_a):
    """Three eligible students at school A, one at school B, and one at school A who missed two days."""
    p = ended_programme
    return {
        "a1": student(p, school_a, days=5, first="Alice", last="Adams"),
        "a2": student(p, school_a, days=4, first="Ben", last="Brown"),
        "a3": student(p, school_a, days=5, first="Cara", last="Clark"),
        "b1": student(p, school_b, days=5, first="Dev", last="Dunn"),
        "short": student(p, school_a, days=3, first="Eve", last="Evans"),
    }


@pytest.fixture
def issue(django_capture_on_commit_callbacks):
    """Start a bulk issue and run what it queues after commit (eagerly, as tasks run in tests)."""
    from certificates import services

    def run(programme, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.certificate_issue_job_start(programme=programme, actor=actor)

    return run
