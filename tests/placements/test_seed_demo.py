from django.apps import apps
from django.core.management import call_command

from placements.models import Activity, BudgetLine, Placement, Programme, Syndicate
from schools.models import Institution, Nomination


def _counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_seed_demo_is_idempotent_and_matches_the_brief(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first

    week = Programme.objects.get(kind=Programme.Kind.SCHOOL_WEEK, title="Summer work-experience week 2026")
    schools = Institution.objects.filter(kind=Institution.Kind.SCHOOL)
    assert schools.count() == 8
    assert schools.filter(is_send=True).count() == 2
    assert Nomination.objects.filter(programme=week).count() == 30
    assert Placement.objects.filter(programme=week).count() == 16
    assert Syndicate.objects.filter(programme=week, lead__isnull=False).count() == 4
    # The seed's categories (transport 550, catering 1,000, overtime 500, misc 700) add up to
    # £2,750, not the £2,700 it quotes as the total; the demo keeps the category figures.
    lines = {line.category: line.planned for line in BudgetLine.objects.filter(programme=week)}
    assert lines == {"transport": 550, "catering": 1000, "overtime": 500, "misc": 700}
    assert Activity.objects.filter(kind="scenario", is_contingency=False).count() == 5
    assert Activity.objects.filter(kind="demonstration", is_contingency=False).count() == 5
    assert week.sessions.count() > 0
    assert Programme.objects.filter(kind=Programme.Kind.UNIVERSITY).count() == 1
    # Reserved SEND places are filled, and no school has more than the cap.
    placed = Placement.objects.filter(programme=week)
    assert placed.filter(nomination__institution__is_send=True).count() >= week.reserved_send_places
    per_school = {}
    for placement in placed.select_related("nomination"):
        per_school[placement.nomination.institution_id] = per_school.get(placement.nomination.institution_id, 0) + 1
    assert max(per_school.values()) <= week.max_per_institution


def test_demo_coordinator_can_log_in_and_see_the_programme(client, db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from placements.demo import DEMO_PASSWORD

    assert client.login(username="coordinator", password=DEMO_PASSWORD)
    response = client.get("/", follow=True)
    assert "Summer work-experience week 2026" in response.content.decode()
