"""What certificates tell the programme set-up (placements.hooks): nothing to copy, and why."""

from __future__ import annotations

from placements.hooks import CopyItem, ProgrammeCopier, register_programme_copier
from placements.models import Programme

from .selectors import template_for_programme


def certificates_describe(source: Programme) -> list[CopyItem]:
    template = template_for_programme(source)
    kind = source.get_kind_display().lower()
    if template is None:
        return [
            CopyItem(
                f"Certificates: your force has no certificate design for a {kind} yet; add one before the end",
                copied=False,
            )
        ]
    return [
        CopyItem(
            f"Certificates: nothing to copy. Your force's design “{template.name}” serves every {kind}, "
            "so the new programme uses it too",
            copied=False,
        )
    ]


def register() -> None:
    register_programme_copier(ProgrammeCopier(order=50, name="certificates", describe=certificates_describe))
