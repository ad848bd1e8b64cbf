"""What the week holds about a student: their place and attendance (kept, with no personal field)."""

from __future__ import annotations

from core.audit import day_in_words, register_detail_records
from core.personal_data import Audited, PersonalData, registry

from .models import Attendance


class PlacementPersonalData(PersonalData):
    order = 20
    holds = ("placements.placement", "placements.attendance")
    audited = {
        "placements.placement": Audited(
            anonymous=True, student="nomination", name=lambda placement: f"Place on {placement.programme}"
        ),
        "placements.attendance": Audited(
            anonymous=True,
            student="placement__nomination",
            name=lambda mark: f"Attendance on {day_in_words(mark.date, 'l j F Y')} ({mark.placement.programme})",
        ),
    }

    def rows(self, nomination) -> dict[str, list]:
        placement = getattr(nomination, "placement", None)
        if placement is None:
            return {}
        return {"placement": [placement], "attendance": list(Attendance.objects.filter(placement=placement))}


def register() -> None:
    registry.register(PlacementPersonalData())
    # The rows named in this app's audited actions (placements/services.py), shown by name in the trail.
    register_detail_records(
        lead="placements.forceperson",
        syndicate="placements.syndicate",
        replaced_session="placements.session",
        activity="placements.activity",
    )
