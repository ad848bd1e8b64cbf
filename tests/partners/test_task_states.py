"""The programme's task list has a partners step: safety first (documents running out, activities on the
timetable without a risk assessment), overdue actions as work in progress."""

from datetime import date, timedelta

from partners.task_states import partners_state
from placements.tasklist import DONE, IN_PROGRESS, NEEDS_ATTENTION
from tests import factories as f
from tests.partners.factories import ActionFactory, DocumentFactory, DocumentRulesFactory, RiskAssessmentFactory


def _state(programme, today):
    programme.__dict__.pop("_task_facts", None)
    state = partners_state(programme, today)
    return state.status, state.reason


def test_nothing_to_follow_is_done_and_an_overdue_action_is_in_progress(programme_a):
    today = date(2027, 5, 3)
    assert _state(programme_a, today) == (DONE, "No open actions; documents in date")
    ActionFactory(programme=programme_a, due_on=today + timedelta(days=3))
    assert _state(programme_a, today) == (IN_PROGRESS, "1 open action, none overdue")
    ActionFactory(programme=programme_a, due_on=today - timedelta(days=1))
    assert _state(programme_a, today) == (IN_PROGRESS, "2 open actions; 1 action overdue")
    assert _state(programme_a, programme_a.end_date + timedelta(days=1))[0] == DONE


def test_documents_running_out_and_missing_risk_assessments_need_attention(programme_a):
    today = date(2027, 5, 3)
    activity = f.ActivityFactory(force=programme_a.force)
    session = f.SessionFactory(programme=programme_a, activity=activity)
    assert session.status == "planned"
    DocumentRulesFactory(force=programme_a.force)
    assert _state(programme_a, today) == (NEEDS_ATTENTION, "1 timetabled activity without a risk assessment")
    RiskAssessmentFactory(force=programme_a.force, activity=activity, expires_on=programme_a.end_date)
    assert _state(programme_a, today)[0] == DONE
    DocumentFactory(force=programme_a.force, programme=programme_a, expires_on=programme_a.end_date - timedelta(days=1))
    assert _state(programme_a, today) == (NEEDS_ATTENTION, "1 document expires before the programme ends")
