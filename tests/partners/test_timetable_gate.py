"""An activity is timetabled only with an approved risk assessment in date, once the force switches the
rule on; a coordinator can let one go ahead on a programme with a reason, which is audited."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from placements import services
from placements.models import Session
from placements.planning import PlanningError
from tests import factories as f
from tests.partners.factories import DocumentRulesFactory, RiskAssessmentFactory
from tests.placements.conftest import add_students, catalogue


@pytest.fixture
def planned(programme_a, coordinator):
    """Programme A with four syndicates of students and the test catalogue, no timetable yet."""
    add_students(programme_a, 8)
    leads = [f.ForcePersonFactory(force=programme_a.force, vetting_expires_on=programme_a.end_date) for _ in range(2)]
    services.syndicates_build(programme=programme_a, size=4, leads=leads, actor=coordinator)
    return catalogue(programme_a.force)


def _generate(programme, activities, coordinator, **kwargs):
    return services.timetable_generate(programme=programme, activities=activities, actor=coordinator, **kwargs)


def test_without_the_rule_switched_on_nothing_changes(planned, programme_a, coordinator):
    """Forces that kept risk assessments elsewhere before this existed are not stopped overnight."""
    plan = _generate(programme_a, [planned["dogs"], planned["cars"]], coordinator)
    assert plan.sessions


def test_with_the_rule_on_an_activity_without_one_is_refused_by_name(planned, programme_a, coordinator):
    DocumentRulesFactory(force=programme_a.force)
    RiskAssessmentFactory(force=programme_a.force, activity=planned["cars"])
    with pytest.raises(PlanningError) as refused:
        _generate(programme_a, [planned["dogs"], planned["cars"]], coordinator)
    assert "“Premises search” has no approved risk assessment in date until 16 July 2027" in refused.value.message
    assert "Vehicle forensics" not in refused.value.message
    assert refused.value.status == 409
    assert not Session.objects.filter(programme=programme_a).exists()


@pytest.mark.parametrize(
    "state",
    ["awaiting approval", "expired before the last day", "for another programme"],
)
def test_a_risk_assessment_counts_only_approved_in_date_and_for_this_programme(
    planned, programme_a, coordinator, state
):
    DocumentRulesFactory(force=programme_a.force)
    document = RiskAssessmentFactory(force=programme_a.force, activity=planned["dogs"])
    if state == "awaiting approval":
        document.approved_at = None
    elif state == "expired before the last day":
        document.expires_on = programme_a.end_date - timedelta(days=1)
    else:
        document.programme = f.ProgrammeFactory(force=programme_a.force)
    document.save()
    with pytest.raises(PlanningError):
        _generate(programme_a, [planned["dogs"]], coordinator)
    document.approved_at, document.expires_on, document.programme = timezone.now(), programme_a.end_date, programme_a
    document.save()
    assert _generate(programme_a, [planned["dogs"]], coordinator).sessions


def test_another_forces_risk_assessment_does_not_count(planned, programme_a, coordinator, force_b):
    DocumentRulesFactory(force=programme_a.force)
    RiskAssessmentFactory(force=force_b, activity=f.ActivityFactory(force=force_b))
    with pytest.raises(PlanningError):
        _generate(programme_a, [planned["dogs"]], coordinator)


def test_fillers_without_one_are_left_out_not_refused(planned, programme_a, coordinator):
    DocumentRulesFactory(force=programme_a.force)
    RiskAssessmentFactory(force=programme_a.force, activity=planned["dogs"])
    plan = _generate(programme_a, [planned["dogs"]], coordinator, fill_idle=True)
    used = {item.activity for item in plan.sessions}
    assert used == {planned["dogs"].pk}  # the beat walk and community voices have none


def test_an_override_with_a_reason_lets_it_go_ahead_and_is_audited(client_for, planned, programme_a, coordinator):
    DocumentRulesFactory(force=programme_a.force)
    client = client_for(coordinator)
    url = reverse("partners:risk_override", args=[programme_a.pk, planned["dogs"].pk])
    short = client.post(url, {"reason": "ok"})
    assert short.status_code == 400 and not programme_a.risk_overrides.exists()
    response = client.post(url, {"reason": "The university's own risk assessment covers the flats; copy due."})
    assert response.status_code == 302
    entry = LogEntry.objects.get(additional_data__action="Activity allowed on the timetable without a risk assessment")
    assert entry.actor == coordinator
    assert entry.additional_data["reason"].startswith("The university's own")
    assert _generate(programme_a, [planned["dogs"]], coordinator).sessions
    # Once only: a second reason is refused, and it covers this programme, not another.
    assert client.post(url, {"reason": "Another reason, given twice."}).status_code == 409
    other = f.ProgrammeFactory(force=programme_a.force)
    with pytest.raises(PlanningError):
        services.timetable_generate(programme=other, activities=[planned["dogs"]], actor=coordinator)


def test_the_generate_button_shows_the_refusal(client_for, planned, programme_a, coordinator):
    DocumentRulesFactory(force=programme_a.force)
    response = client_for(coordinator).post(
        reverse("placements:timetable_generate", args=[programme_a.pk]),
        {"activities": [planned["dogs"].pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "has no approved risk assessment in date" in response.content.decode()


def test_a_contingency_swap_offers_only_covered_activities(planned, programme_a, coordinator):
    RiskAssessmentFactory(force=programme_a.force, activity=planned["dogs"])
    _generate(programme_a, [planned["dogs"]], coordinator)
    session = Session.objects.filter(programme=programme_a).first()
    assert planned["beat"] in services.contingency_candidates(session=session)
    DocumentRulesFactory(force=programme_a.force)
    assert services.contingency_candidates(session=session) == []
    RiskAssessmentFactory(force=programme_a.force, activity=planned["beat"])
    assert planned["beat"] in services.contingency_candidates(session=session)


def test_the_rule_is_switched_from_the_documents_page_and_audited(client_for, coordinator, force_a, coordinator_b):
    client = client_for(coordinator)
    assert client.post(reverse("partners:document_rules"), {"risk_assessment_required": "on"}).status_code == 302
    assert force_a.document_rules.risk_assessment_required
    assert LogEntry.objects.filter(additional_data__action="Risk assessments required before timetabling").exists()
    client.post(reverse("partners:document_rules"), {})
    force_a.document_rules.refresh_from_db()
    assert not force_a.document_rules.risk_assessment_required
