"""Writes for the intake journey: invitations, nominations, consent, selection and offers.

One module per stage; everything is re-exported here, so callers use `schools.services.<name>`.
"""

from ._common import (
    CONSENT_ITEMS as CONSENT_ITEMS,
    CONSENT_LINK_DAYS as CONSENT_LINK_DAYS,
    CONSENT_LINK_PURPOSE as CONSENT_LINK_PURPOSE,
    HOLDING_PLACE as HOLDING_PLACE,
    INVITATION_DAYS as INVITATION_DAYS,
    INVITATION_LINK_PURPOSE as INVITATION_LINK_PURPOSE,
    MAX_REMINDERS as MAX_REMINDERS,
    OFFER_DAYS as OFFER_DAYS,
    POOL_STATUSES as POOL_STATUSES,
    QUOTA_STATUSES_EXCLUDED as QUOTA_STATUSES_EXCLUDED,
    REMINDER_AFTER_DAYS as REMINDER_AFTER_DAYS,
    SchoolsError as SchoolsError,
    consent_link_path as consent_link_path,
    contact_invitation_path as contact_invitation_path,
)
from .consent import (
    RESEND_AFTER as RESEND_AFTER,
    consent_link_find as consent_link_find,
    consent_link_resend as consent_link_resend,
    consent_link_send as consent_link_send,
    consent_reminders_send as consent_reminders_send,
    consent_resendable as consent_resendable,
    consent_respond as consent_respond,
    consent_withdraw as consent_withdraw,
    consent_wording as consent_wording,
)
from .contacts import (
    allocation_set as allocation_set,
    contact_invitation_accept as contact_invitation_accept,
    contact_invitation_create as contact_invitation_create,
    contact_invitation_find as contact_invitation_find,
    contact_invitation_has_account as contact_invitation_has_account,
    contact_invitation_link as contact_invitation_link,
    contact_invitation_open as contact_invitation_open,
    invitation_email_matches as invitation_email_matches,
)
from .nominations import (
    NominationImportError as NominationImportError,
    age_band_text as age_band_text,
    nomination_submit as nomination_submit,
    nomination_update as nomination_update,
    nomination_withdraw as nomination_withdraw,
    nominations_import as nominations_import,
)
from .offers import (
    WAITLIST_ROOM_DAYS as WAITLIST_ROOM_DAYS,
    InstitutionMail as InstitutionMail,
    PlanStudent as PlanStudent,
    SelectionPlan as SelectionPlan,
    offer_deadline_check as offer_deadline_check,
    offer_deadline_default as offer_deadline_default,
    offer_respond as offer_respond,
    offer_withdraw as offer_withdraw,
    offer_withdrawal_preview as offer_withdrawal_preview,
    offers_expire as offers_expire,
    selection_confirm as selection_confirm,
    selection_plan as selection_plan,
    selection_propose as selection_propose,
    selection_round as selection_round,
    waitlist_promote as waitlist_promote,
)
from .weeks import (
    RoundWeek as RoundWeek,
    linkable_weeks as linkable_weeks,
    round_home as round_home,
    round_weeks as round_weeks,
    week_choices_check as week_choices_check,
    week_dates as week_dates,
    week_link as week_link,
    week_link_open as week_link_open,
    week_unlink as week_unlink,
)
