from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from placements.models import Session
from surveys.services import invitation_token, survey_setup_programme
from tests import factories as f


@pytest.fixture(autouse=True)
def _clear_cache():
    """The short-code throttle counts in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def make_week(programme, *, students=4, activities=("dogs", "drones")):
    """A programme with placements in one syndicate that attended the given activities; surveys set up."""
    syndicate = f.SyndicateFactory(programme=programme, name="Syndicate 1")
    start = timezone.make_aware(datetime(2027, 7, 12, 9, 30))
    for index, slug in enumerate(activities):
        activity = f.ActivityFactory(force=programme.force, slug=slug, title=f"Activity {slug}")
        session = Session.objects.create(
            programme=programme,
            activity=activity,
            starts_at=start + timedelta(days=index),
            ends_at=start + timedelta(days=index, hours=2),
        )
        session.syndicates.add(syndicate)
    placements = [f.PlacementFactory(programme=programme, syndicate=syndicate) for _ in range(students)]
    surveys = survey_setup_programme(programme=programme)
    return surveys, placements


@pytest.fixture
def week_a(programme_a):
    surveys, placements = make_week(programme_a)
    return {"programme": programme_a, "surveys": surveys, "placements": placements}


@pytest.fixture
def week_b(programme_b):
    surveys, placements = make_week(programme_b, students=1, activities=("boats",))
    return {"programme": programme_b, "surveys": surveys, "placements": placements}


def token_for(survey, placement):
    return invitation_token(survey.invitations.get(placement=placement))
