"""Sections of a coordinator's programme page, contributed by each app.

An app registers its section in its AppConfig.ready(); the programme page renders them in order,
so intake, week plan, surveys, certificates and mentoring each own their part of the page.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ProgrammeSection:
    order: int
    title: str
    template_name: str
    # Called with (programme, request) to fill the section's template context; keep it cheap.
    context: object = None


_SECTIONS: list[ProgrammeSection] = []


def register_programme_section(section):
    if all(existing.template_name != section.template_name for existing in _SECTIONS):
        _SECTIONS.append(section)
        _SECTIONS.sort(key=lambda s: s.order)


def programme_sections():
    return list(_SECTIONS)
