"""The personal-data registry: each app declares, next to its models, what it holds about a student.

An app subclasses `PersonalData` in its own `privacy.py` and registers an instance in its
`AppConfig.ready()` (the way pretix's data shredders work). The declaration says which models hold
rows about one student (a nomination) and which of their fields are personal, and knows how to
export and erase them for that one student. The audit trail's masks and anonymous names come from
the same declarations, and the privacy app (retention, erasure, subject access) asks the registry
instead of naming other apps' tables. Core itself imports no domain app.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Expression, Q, QuerySet

ERASED = "Erased"
SENTINEL_DOB = date(1900, 1, 1)


def random_hash() -> str:
    """A hash no token will ever match: what an erased link's token becomes."""
    return hashlib.sha256(secrets.token_bytes(32)).hexdigest()


@dataclass(frozen=True)
class Needles:
    """What identifies the student in free text: names (whole words), addresses, dates of birth."""

    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    dob: tuple[str, ...] = ()

    def __add__(self, other: Needles) -> Needles:
        return Needles(
            names=tuple(dict.fromkeys((*self.names, *other.names))),
            emails=tuple(dict.fromkeys((*self.emails, *other.emails))),
            dob=tuple(dict.fromkeys((*self.dob, *other.dob))),
        )

    def pattern(self) -> re.Pattern[str] | None:
        parts = [re.escape(e) for e in self.emails]
        parts += [r"\b" + re.escape(n) + r"\b" for n in self.names]
        parts += [re.escape(d) for d in self.dob]
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def scrub(self, text: str, replacement: str) -> str:
        pattern = self.pattern()
        if not text or pattern is None:
            return text
        return pattern.sub(replacement, text)

    def text_filter(self, *fields: str) -> Q:
        """A Q matching rows whose `fields` mention the student's full name or addresses."""
        q = Q()
        full = self.names[0] if self.names else None
        for name in fields:
            for value in (full, *self.emails):
                if value:
                    q |= Q(**{f"{name}__icontains": value})
        return q


@dataclass(frozen=True)
class Erasing:
    """What every declaration's `erase` is given: the student, what names them, and what replaces it."""

    nomination: Any
    needles: Needles
    replacement: str
    now: datetime


@dataclass(frozen=True)
class Audited:
    """A model the audit trail records; the values of `masked` fields are never written to it."""

    masked: tuple[str, ...] = ()
    # Its str() names a child: the trail stores `name(row)` instead, or "A student's <kind>".
    anonymous: bool = False
    # The path from this model to the student's nomination ("" for the nomination itself): the trail
    # page names the record by the student, and finds it when a coordinator searches by name.
    student: str | None = None
    # Plain words for an anonymous row that a stored trail entry keeps for good ("Place on <programme>"):
    # no child's name (it would outlive an erasure) and no database number (people never see those).
    name: Callable[[Any], str] | None = None


class PersonalData:
    """What one app holds about a student, and how to export and erase it for ONE student.

    Subclass it in the app's `privacy.py`, register an instance in its `AppConfig.ready()`.
    """

    # Where this app's rows come in the subject access export and in an erasure (lowest first).
    order: int = 50
    # Every model holding rows about one student (labels, e.g. "schools.consent").
    holds: tuple[str, ...] = ()
    # {model label: fields that are the student's personal data}: blank or a placeholder after erasure.
    personal: dict[str, tuple[str, ...]] = {}
    # {model label: Audited(...)}: the models the audit trail records, and their masked fields.
    audited: dict[str, Audited] = {}

    def identify(self, nomination: Any, earlier_names: Iterable[str] = ()) -> Needles:
        """What names the student in free text (only the app that holds the names knows)."""
        return Needles()

    def rows(self, nomination: Any) -> dict[str, list]:
        """Every row this app holds about the student, by export name (e.g. "consent_links")."""
        return {}

    def export_rows(self, nomination: Any) -> dict[str, list]:
        """The rows of the subject access export; usually `rows`."""
        return self.rows(nomination)

    def export_item(self, key: str, obj: Any, item: dict) -> None:
        """Add to one serialised row of the export (e.g. a survey answer's question)."""

    def export_files(self, rows: dict[str, list]) -> Iterator[tuple[str, bytes]]:
        """Files of the export beside the JSON (e.g. certificate PDFs): (name in the ZIP, content)."""
        return iter(())

    def erase(self, erasing: Erasing) -> dict[str, int]:
        """Overwrite the student's personal data held by this app; return counts by kind. Idempotent."""
        return {}

    def students_named(self, text: str) -> QuerySet | None:
        """Nominations whose student's name contains `text` (only the app that holds the names knows)."""
        return None

    def retention_dates(self) -> dict[str, Expression]:
        """Annotations on a nomination query: dates the retention period of a placed student counts from."""
        return {}

    def erase_free_text(self, *, programme_ids: list[int]) -> int:
        """Erase free text kept for a shorter period (survey answers) in these programmes; return how many."""
        return 0


@dataclass
class Registry:
    declarations: list[PersonalData] = field(default_factory=list)

    def register(self, declaration: PersonalData) -> PersonalData:
        """Add an app's declaration (from its `AppConfig.ready()`), and record its models in the audit trail."""
        if any(type(existing) is type(declaration) for existing in self.declarations):
            return declaration
        self.declarations.append(declaration)
        self.declarations.sort(key=lambda d: d.order)
        _register_audited(declaration)
        return declaration

    def __iter__(self) -> Iterator[PersonalData]:
        return iter(self.declarations)

    def holds(self) -> set[str]:
        return {label for d in self for label in d.holds}

    def personal_fields(self) -> dict[str, set[str]]:
        fields: dict[str, set[str]] = {}
        for d in self:
            for label, names in d.personal.items():
                fields.setdefault(label, set()).update(names)
        return fields

    def audited(self) -> dict[str, Audited]:
        return {label: audited for d in self for label, audited in d.audited.items()}

    def anonymous_repr(self) -> set[str]:
        return {label for label, audited in self.audited().items() if audited.anonymous}

    def trail_name(self, instance: Any) -> str | None:
        """The words an audit entry stores for `instance` if its str() would name a child, else None."""
        audited = self.audited().get(instance._meta.label_lower)
        if audited is None or not audited.anonymous:
            return None
        if audited.name is not None:
            try:
                return audited.name(instance)
            except ObjectDoesNotExist:  # a row it names by was deleted first (a cascade)
                pass
        return anonymous_name(instance._meta.verbose_name)

    def student_paths(self) -> dict[str, str]:
        """{model label: path to the student's nomination} of the audited models about one student."""
        return {label: audited.student for label, audited in self.audited().items() if audited.student is not None}

    def students_named(self, text: str) -> QuerySet | None:
        """Nominations whose student's name contains `text`, or None if no app holds names."""
        for d in self:
            found = d.students_named(text)
            if found is not None:
                return found
        return None

    def identify(self, nomination: Any, earlier_names: Iterable[str] = ()) -> Needles:
        needles = Needles()
        for d in self:
            needles += d.identify(nomination, earlier_names)
        return needles


registry = Registry()


def anonymous_name(verbose_name: str) -> str:
    """Words for a student's row when nothing else may be said of it ("A student's placement")."""
    return f"A student's {verbose_name}"


def _register_audited(declaration: PersonalData) -> None:
    from auditlog.registry import auditlog
    from django.apps import apps

    for label, audited in declaration.audited.items():
        auditlog.register(apps.get_model(label), mask_fields=list(audited.masked))
