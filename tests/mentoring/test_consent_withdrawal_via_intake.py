"""A guardian withdrawing mentoring consent through the consent link ends mentoring at once."""

import pytest

from mentoring.models import MentorAssignment
from schools import services as schools_services
from tests import factories as f


@pytest.mark.parametrize("item", ["mentoring_contact", "participation"])
def test_withdrawing_consent_ends_active_mentoring(db, item):
    assignment = f.MentorAssignmentFactory()
    consent = f.ConsentFactory(nomination=assignment.placement.nomination)
    schools_services.consent_withdraw(consent=consent, items=[item])
    assignment.refresh_from_db()
    assert assignment.status == MentorAssignment.Status.ENDED
