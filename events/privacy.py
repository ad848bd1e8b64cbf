"""What events hold about a student: invitations to them or their family (names are read from the nomination,
never copied). A community member's name and email are kept on their invitation only until
COMMUNITY_KEEP_DAYS after the event (`services.community_invitees_erase`, run daily)."""

from __future__ import annotations

from core.personal_data import Audited, Erasing, PersonalData, random_hash, registry

from .models import Invitation


class EventsPersonalData(PersonalData):
    order = 47
    holds = ("events.invitation",)
    # No student's personal field is copied here: an invitation's `name` and `email` are only ever a community
    # member's (blanked COMMUNITY_KEEP_DAYS after the event), and they are masked in the audit trail.
    audited = {
        "events.invitation": Audited(
            masked=("name", "email", "token_hash", "token_salt"),
            student="placement__nomination",
        )
    }

    def _invitations(self, nomination):
        placement = getattr(nomination, "placement", None)
        if placement is None:
            return Invitation.objects.none()
        return Invitation.objects.filter(placement=placement).select_related("event")

    def rows(self, nomination) -> dict[str, list]:
        found = list(self._invitations(nomination))
        return {"event_invitations": found} if found else {}

    def erase(self, erasing: Erasing) -> dict[str, int]:
        # The reply stays (the event's counts do not change); the link opens nothing any more, and the
        # invitee's name was only ever read from the nomination, which the erasure overwrites.
        count = 0
        for invitation in self._invitations(erasing.nomination):
            Invitation.objects.filter(pk=invitation.pk).update(token_hash=random_hash())
            count += 1
        return {"event_invitations": count} if count else {}


def register() -> None:
    registry.register(EventsPersonalData())
