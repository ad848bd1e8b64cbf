"""The three invitations to sign in say the same about a link that cannot be used, each in its own words where
they differ: unknown (404), used, expired or withdrawn (410). One helper, core.invitations.invitation_pending."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError
from core.invitations import ALREADY_USED, INVALID_LINK
from partners.services import partner_invitation_find, partner_invitation_open
from placements.services import force_person_invitation_find, force_person_invitation_open
from schools.services import contact_invitation_find, contact_invitation_open
from tests.partners.factories import PartnerInvitationFactory
from tests.placements.factories import ForcePersonInvitationFactory
from tests.schools.factories import ContactInvitationFactory

pytestmark = pytest.mark.django_db

COORDINATOR_EXPIRED = "This invitation has expired or was withdrawn. Ask the programme coordinator to invite you again."
KINDS = {
    # factory, find, open, words when expired, words when the invited person was made inactive (None: cannot be)
    "partner": (
        PartnerInvitationFactory,
        partner_invitation_find,
        partner_invitation_open,
        COORDINATOR_EXPIRED,
        COORDINATOR_EXPIRED,
    ),
    "force person": (
        ForcePersonInvitationFactory,
        force_person_invitation_find,
        force_person_invitation_open,
        COORDINATOR_EXPIRED,
        "This invitation was withdrawn. Ask the programme coordinator about it.",
    ),
    "school contact": (
        ContactInvitationFactory,
        lambda *, pk: contact_invitation_find(pk=pk),
        contact_invitation_open,
        "This invitation has expired. Ask the coordinator or a colleague to invite you again.",
        None,
    ),
}


def _refused(call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value.status, caught.value.message


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_invitation_that_cannot_be_used_says_why(kind):
    factory, find, open_link, expired, withdrawn = KINDS[kind]
    pending = factory()
    assert find(pk=pending.pk) == pending
    for pk in (0, "12a", "", None):
        assert _refused(find, pk=pk) == (404, INVALID_LINK)
    assert _refused(open_link, token="") == (404, INVALID_LINK)
    assert _refused(open_link, token="not-a-token") == (404, INVALID_LINK)

    used = factory(accepted_at=timezone.now())
    assert _refused(find, pk=used.pk) == (410, ALREADY_USED)
    late = factory(expires_at=timezone.now() - timedelta(minutes=1))
    assert _refused(find, pk=late.pk) == (410, expired)
    if withdrawn is not None:
        gone = factory()
        gone.person.is_active = False
        gone.person.save()
        assert _refused(find, pk=gone.pk) == (410, withdrawn)
