"""What communications hold about a student: the link to their joining-instructions page, and the mobile
numbers their family agreed to be texted reminders at."""

from __future__ import annotations

from core.personal_data import Erasing, PersonalData, random_hash, registry

from .models import JoiningLink, TextConsent


class CommunicationsPersonalData(PersonalData):
    order = 45
    holds = ("communications.joininglink", "communications.textconsent")
    personal = {"communications.textconsent": ("phone",)}

    def rows(self, nomination) -> dict[str, list]:
        placement = getattr(nomination, "placement", None)
        if placement is None:
            return {}
        return {
            "joining_links": list(JoiningLink.objects.filter(placement=placement)),
            "text_reminder_agreements": list(TextConsent.objects.filter(placement=placement)),
        }

    def erase(self, erasing: Erasing) -> dict[str, int]:
        placement = getattr(erasing.nomination, "placement", None)
        if placement is None:
            return {}
        # The link opens nothing any more (the page also refuses an erased student).
        for link in JoiningLink.objects.filter(placement=placement):
            JoiningLink.objects.filter(pk=link.pk).update(token_hash=random_hash())
        # No number is kept, and none is texted again (the reminder also skips an erased student).
        TextConsent.objects.filter(placement=placement, withdrawn_at__isnull=True).update(withdrawn_at=erasing.now)
        erased = TextConsent.objects.filter(placement=placement).exclude(phone="").update(phone="")
        return {"text_reminder_agreements": erased}


def register() -> None:
    registry.register(CommunicationsPersonalData())
