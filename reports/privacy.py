"""What the practice report holds about a student: only which of their survey answers it quotes (never who
wrote them). Erasing the student takes their words out of every report."""

from __future__ import annotations

from core.personal_data import Erasing, PersonalData, registry

from .models import PracticeReport


class ReportsPersonalData(PersonalData):
    order = 70
    holds = ("reports.practicereport",)

    def rows(self, nomination) -> dict[str, list]:
        placement = getattr(nomination, "placement", None)
        if placement is None:
            return {}
        reports = PracticeReport.objects.filter(quotes__response__invitation__placement=placement).distinct()
        return {"practice_reports_quoting": list(reports)}

    def erase(self, erasing: Erasing) -> dict[str, int]:
        placement = getattr(erasing.nomination, "placement", None)
        if placement is None:
            return {}
        through = PracticeReport.quotes.through
        removed, _ = through.objects.filter(answer__response__invitation__placement=placement).delete()
        return {"practice report quotes": removed} if removed else {}


def register() -> None:
    registry.register(ReportsPersonalData())
