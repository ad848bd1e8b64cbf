"""What communications hold about a student: the link to their joining-instructions page, the mobile numbers
their family agreed to be texted reminders at, and who a message to an audience went to about them (their
family's name and address, the student's first name and school)."""

from __future__ import annotations

from core.personal_data import ERASED, Erasing, PersonalData, random_hash, registry

from .models import JoiningLink, MessageRecipient, TextConsent


class CommunicationsPersonalData(PersonalData):
    order = 45
    holds = ("communications.joininglink", "communications.textconsent", "communications.messagerecipient")
    personal = {
        "communications.textconsent": ("phone",),
        "communications.messagerecipient": ("person_name", "address", "values"),
    }

    def rows(self, nomination) -> dict[str, list]:
        rows = {}
        placement = getattr(nomination, "placement", None)
        if placement is not None:
            rows["joining_links"] = list(JoiningLink.objects.filter(placement=placement))
            rows["text_reminder_agreements"] = list(TextConsent.objects.filter(placement=placement))
        recipients = list(MessageRecipient.objects.filter(nomination=nomination).select_related("message"))
        if recipients:
            rows["messages_to_family"] = recipients
        return rows

    def erase(self, erasing: Erasing) -> dict[str, int]:
        counts = {}
        placement = getattr(erasing.nomination, "placement", None)
        if placement is not None:
            # The link opens nothing any more (the page also refuses an erased student).
            for link in JoiningLink.objects.filter(placement=placement):
                JoiningLink.objects.filter(pk=link.pk).update(token_hash=random_hash())
            # No number is kept, and none is texted again (the reminder also skips an erased student).
            TextConsent.objects.filter(placement=placement, withdrawn_at__isnull=True).update(withdrawn_at=erasing.now)
            counts["text_reminder_agreements"] = (
                TextConsent.objects.filter(placement=placement).exclude(phone="").update(phone="")
            )
        # Who a message went to stays counted (sent / not delivered), but no longer says who they were.
        erased = 0
        for recipient in MessageRecipient.objects.filter(nomination=erasing.nomination).only("pk"):
            erased += MessageRecipient.objects.filter(pk=recipient.pk).update(
                person_name=ERASED, address="", key=f"erased:{recipient.pk}", values={}
            )
        if erased:
            counts["message_recipients"] = erased
        return counts


def register() -> None:
    registry.register(CommunicationsPersonalData())
