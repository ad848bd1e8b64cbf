"""Fixtures for the intake journey: a programme whose nomination window is open today."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def open_programme(force_a, today):
    return f.ProgrammeFactory(
        force=force_a,
        title="Open week",
        nomination_opens=today - timedelta(days=10),
        nomination_closes=today + timedelta(days=30),
        start_date=today + timedelta(days=60),
        end_date=today + timedelta(days=64),
        capacity=4,
        reserved_send_places=1,
        max_per_institution=2,
    )


@pytest.fixture
def allocation_a(open_programme, school_a):
    return f.AllocationFactory(programme=open_programme, institution=school_a, quota=3)


@pytest.fixture
def allocation_b(open_programme, school_b):
    return f.AllocationFactory(programme=open_programme, institution=school_b, quota=3)


def student(programme, **overrides):
    """Form data for a student who is 15 on the programme's first day."""
    start = programme.start_date
    data = {
        "first_name": "Jamie",
        "last_name": "Rivers",
        "date_of_birth": start.replace(year=start.year - 15) - timedelta(days=30),
        "year_group": "Year 10",
        "pronouns": "",
        "gender": "",
        "student_email": "",
        "support_needs": "",
        "medical_notes": "",
        "emergency_contact_name": "Pat Rivers",
        "emergency_contact_phone": "07700 900001",
        "guardian_name": "Pat Rivers",
        "guardian_email": "pat@family.invalid",
        "reason": "Would gain confidence",
        "police_first_choice": False,
    }
    data.update(overrides)
    return data


def post_data(data):
    """The same student as the browser would post it."""
    out = {k: ("on" if v is True else "" if v is False else v) for k, v in data.items()}
    out["date_of_birth"] = data["date_of_birth"].isoformat()
    return {k: v for k, v in out.items() if v != "" or k != "police_first_choice"}


def check_and_send(client, programme, selected, deadline, **extra):
    """Go through the selection's confirm step as the browser does: open it, then post its own form back.

    Returns (confirm page response, send response)."""
    import re

    from django.urls import reverse

    url = reverse("schools:selection_confirm", args=[programme.pk])
    query = {"selected": [str(pk) for pk in selected], "deadline": str(deadline)}
    page = client.get(url, query)
    assert page.status_code == 200, page.content.decode()[:2000]
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page.content.decode()).group(1)
    return page, client.post(url, {**query, "digest": digest, **extra})
