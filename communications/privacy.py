"""What communications hold about a student: the link to their joining-instructions page."""

from __future__ import annotations

from core.personal_data import Erasing, PersonalData, random_hash, registry

from .models import JoiningLink


class CommunicationsPersonalData(PersonalData):
    order = 45
    holds = ("communications.joininglink",)

    def rows(self, nomination) -> dict[str, list]:
        placement = getattr(nomination, "placement", None)
        if placement is None:
            return {}
        return {"joining_links": list(JoiningLink.objects.filter(placement=placement))}

    def erase(self, erasing: Erasing) -> dict[str, int]:
        placement = getattr(erasing.nomination, "placement", None)
        if placement is None:
            return {}
        # The link opens nothing any more (the page also refuses an erased student).
        for link in JoiningLink.objects.filter(placement=placement):
            JoiningLink.objects.filter(pk=link.pk).update(token_hash=random_hash())
        return {}


def register() -> None:
    registry.register(CommunicationsPersonalData())
