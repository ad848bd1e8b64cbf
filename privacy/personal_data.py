"""The privacy app's own rows about a student: the record that their data was erased (no personal data)."""

from __future__ import annotations

from core.personal_data import PersonalData, registry

from .models import Erasure


class ErasurePersonalData(PersonalData):
    order = 15
    holds = ("privacy.erasure",)

    def rows(self, nomination) -> dict[str, list]:
        return {"erasure": list(Erasure.objects.filter(nomination=nomination))}


def register() -> None:
    registry.register(ErasurePersonalData())
