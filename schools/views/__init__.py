"""Intake screens, one module per audience: contacts, coordinators, and public link pages."""

from ._common import (
    CONSENT_SESSION_KEY as CONSENT_SESSION_KEY,
    INVALID_LINK as INVALID_LINK,
    INVITATION_SESSION_KEY as INVITATION_SESSION_KEY,
)
from .contacts import (
    colleague_invite as colleague_invite,
    consent_resend as consent_resend,
    contact_home as contact_home,
    csv_template as csv_template,
    nominate as nominate,
    nomination_detail as nomination_detail,
    nomination_edit as nomination_edit,
    nomination_list as nomination_list,
    nomination_upload as nomination_upload,
    nomination_withdraw as nomination_withdraw,
    offer_respond as offer_respond,
)
from .coordinators import (
    allocations as allocations,
    contact_invite as contact_invite,
    offer_withdraw as offer_withdraw,
    review as review,
    selection as selection,
    selection_confirm as selection_confirm,
    week_unlink as week_unlink,
    weeks as weeks,
)
from .public import (
    consent_form as consent_form,
    consent_open as consent_open,
    consent_withdraw as consent_withdraw,
    invitation_accept as invitation_accept,
    invitation_open as invitation_open,
)
