"""The audit trail in words, for a coordinator: who did what to which record, and when.

django-auditlog stores field names and raw values (a choice's code, a related row's number). This
turns a page of entries into sentences with the fields' labels, the choices' labels and the related
rows' names, in a fixed number of queries whatever the page's size (one per kind of related row).
Values of special-category fields (health, what a child told their mentor) are never shown, and
neither is a row's number: a row that cannot be named is "another record".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from auditlog.models import LogEntry
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.text import capfirst

from .audit import DETAIL_RECORDS
from .personal_data import ERASED, registry

ANOTHER_RECORD = "another record"
RESTRICTED = "(restricted)"
NOT_SHOWN = "(not shown)"
# Keys of a named action's additional data that are not details of the action.
# "who": plain words for an actor with no account, given by the action (a refused sign-in by force account).
NOT_DETAILS = {"action", "force", "who"}
# A name the erasure or the anonymous naming gave a record: "nomination #12".
NUMBERED = re.compile(r"#\d+\s*$")


@dataclass
class TrailRow:
    """One entry of the trail, in words."""

    entry: LogEntry
    who: str
    summary: str
    changes: list[str] = field(default_factory=list)
    # A named action ("Syndicates built"): the summary says what was done, the changes are its details.
    is_action: bool = False

    @property
    def when(self) -> datetime:
        return self.entry.timestamp

    @property
    def where(self) -> str:
        return self.entry.remote_addr or ""

    @property
    def inline(self) -> str:
        """The only change, to follow the summary in one sentence ("status from Given to Withdrawn")."""
        return _lower_first(self.changes[0]) if len(self.changes) == 1 and not self.is_action else ""


def _lower_first(text: str) -> str:
    # "Status from …" → "status from …", but "SEND/LDD school" stays as it is.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _student_name(nomination: Any) -> str:
    if nomination is None:
        return "a student"
    if nomination.first_name == ERASED:
        return "an erased student"
    return str(nomination)


def _follow(obj: Any, path: str) -> Any:
    for hop in path.split("__") if path else ():
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return obj


class Names:
    """Names of related rows, asked for first and then loaded in one query per model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.names: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, model: type[models.Model] | None, raw: Any) -> None:
        pk = self._pk(model, raw)
        if pk is not None:
            self.wanted[model].add(pk)

    def load(self) -> None:
        student_paths = registry.student_paths()
        for model, pks in self.wanted.items():
            path = student_paths.get(model._meta.label_lower)
            rows = model._default_manager.filter(pk__in=pks)
            if path is not None:
                rows = rows.select_related(path) if path else rows
                for row in rows:
                    student = _student_name(_follow(row, path))
                    self.names[model, row.pk] = f"{model._meta.verbose_name} of {student}"
            else:
                # Follows the non-null foreign keys too, so a name made from a related row costs nothing more.
                for row in rows.select_related():
                    self.names[model, row.pk] = str(row)

    def name(self, model: type[models.Model] | None, raw: Any) -> str:
        pk = self._pk(model, raw)
        if pk is None:
            return ANOTHER_RECORD
        return self.names.get((model, pk), ANOTHER_RECORD)

    @staticmethod
    def _pk(model: type[models.Model] | None, raw: Any) -> Any:
        if model is None or raw in (None, "", "None"):
            return None
        try:
            return model._meta.pk.to_python(raw)
        except (ValidationError, TypeError, ValueError):
            return None


def _empty(raw: Any) -> bool:
    return raw in (None, "", "None", "[]", "{}")


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found


def _skipped(model: type[models.Model], model_field: Any) -> bool:
    """What says nothing to a reader: the row's number, automatic timestamps, its link to the student,
    and the other rows pointing at it (auditlog lists reverse relations too)."""
    if model_field is None:
        return False
    if not isinstance(model_field, models.Field) or model_field.many_to_many:
        return True
    if (
        model_field.primary_key
        or getattr(model_field, "auto_now", False)
        or getattr(model_field, "auto_now_add", False)
    ):
        return True
    path = registry.student_paths().get(model._meta.label_lower)
    return bool(path) and model_field.name == path.split("__")[0]


def _display(model_field: models.Field | None, raw: Any, names: Names) -> str:
    """A stored value as a reader knows it: a choice's label, a row's name, a date in words."""
    if _empty(raw):
        return "nothing"
    text = str(raw)
    if model_field is None:
        return ANOTHER_RECORD if text.isdigit() else text
    if model_field.is_relation:
        return names.name(model_field.related_model, raw)
    if model_field.choices:
        labels = {str(value): label for value, label in model_field.flatchoices}
        return str(labels.get(text, text))
    if isinstance(model_field, models.BooleanField):
        return {"True": "yes", "False": "no"}.get(text, text)
    if isinstance(model_field, models.DateTimeField):
        return _datetime_in_words(text)
    if isinstance(model_field, models.DateField):
        try:
            return format_date(date.fromisoformat(text[:10]), "j F Y")
        except ValueError:
            return text
    if len(text) > 80:
        return text[:77] + "…"
    return text


def _datetime_in_words(text: str) -> str:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)  # auditlog stores naive UTC
    return format_date(timezone.localtime(value), "j F Y, H:i")


def _hidden(model: type[models.Model], name: str) -> str | None:
    """How a field's value is withheld: "(restricted)" for special-category data, "(not shown)" if masked."""
    if name in getattr(model, "SPECIAL_CATEGORY_FIELDS", ()):
        return RESTRICTED
    audited = registry.audited().get(model._meta.label_lower)
    if audited is not None and name in audited.masked:
        return NOT_SHOWN
    return None


def _label(model_field: models.Field | None, name: str) -> str:
    if model_field is not None:
        return capfirst(str(model_field.verbose_name))
    return capfirst(name.replace("_", " "))


def _field_changes(
    entry: LogEntry, model: type[models.Model] | None
) -> list[tuple[models.Field | None, str, Any, Any]]:
    changes = []
    for name, values in (entry.changes_dict or {}).items():
        model_field = _model_field(model, name)
        if model is not None and _skipped(model, model_field):
            continue
        old, new = [*values, None, None][:2] if isinstance(values, list | tuple) else (None, values)
        changes.append((model_field, name, old, new))
    return changes


def _change_lines(entry: LogEntry, model: type[models.Model] | None, names: Names) -> list[str]:
    lines, withheld = [], []
    created = entry.action == LogEntry.Action.CREATE
    for model_field, name, old, new in _field_changes(entry, model):
        label = _label(model_field, name)
        hidden = _hidden(model, name) if model is not None else None
        if created:
            if _empty(new):
                continue
            if hidden:
                withheld.append(label)
            else:
                lines.append(f"{label}: {_display(model_field, new, names)}")
        elif hidden:
            lines.append(f"{label} changed {hidden}")
        elif _empty(old):
            lines.append(f"{label} set to {_display(model_field, new, names)}")
        elif _empty(new):
            lines.append(f"{label}: now blank (was {_display(model_field, old, names)})")
        else:
            lines.append(f"{label} from {_display(model_field, old, names)} to {_display(model_field, new, names)}")
    if withheld:
        lines.append(f"Also recorded, not shown here: {', '.join(withheld)}")
    return lines


def _detail_lines(entry: LogEntry, names: Names) -> list[str]:
    lines = []
    for key, value in (entry.additional_data or {}).items():
        if key in NOT_DETAILS:
            continue
        label = capfirst(key.replace("_", " "))
        if key in DETAIL_RECORDS:
            shown = "none" if value is None else names.name(_model(DETAIL_RECORDS[key]), value)
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, list | tuple):
            shown = ", ".join(str(item) for item in value)
        elif isinstance(value, int) and _names_a_record(key):
            shown = ANOTHER_RECORD  # a row's number nobody declared: never shown as a number
        elif value is None:
            shown = "none"
        else:
            shown = str(value)
        lines.append(f"{label}: {shown}")
    return lines


@cache
def _model_names() -> frozenset[str]:
    return frozenset(model._meta.model_name for model in apps.get_models())


def _names_a_record(key: str) -> bool:
    """A detail named after a kind of row ("placement", "replaced_session", "nomination_id") holds its id;
    any other number ("sessions", "schools_without_contact") is a count."""
    return key == "id" or key.endswith("_id") or key.rsplit("_", 1)[-1] in _model_names()


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _who(entry: LogEntry) -> str:
    if entry.actor_id is not None and entry.actor is not None:
        return str(entry.actor)
    if isinstance((entry.additional_data or {}).get("who"), str):
        return entry.additional_data["who"]
    if entry.remote_addr:
        return "Someone using an emailed link"
    return "The system"


def _record(entry: LogEntry, model: type[models.Model] | None, names: Names) -> str:
    if model is None:
        return "a record that no longer exists"
    verbose = model._meta.verbose_name
    if model._meta.label_lower in registry.student_paths():
        name = names.names.get((model, Names._pk(model, entry.object_id or entry.object_pk)))
        return f"the {name}" if name else f"a student's {verbose} (since deleted)"
    if not entry.object_repr or NUMBERED.search(entry.object_repr):
        return f"a {verbose}"
    return f"the {verbose} “{entry.object_repr}”"


def _summary(entry: LogEntry, record: str) -> str:
    action = (entry.additional_data or {}).get("action")
    if action:
        return f"{action} — {record}"
    verbs = {
        LogEntry.Action.CREATE: "added",
        LogEntry.Action.UPDATE: "changed",
        LogEntry.Action.DELETE: "deleted",
        LogEntry.Action.ACCESS: "read the restricted notes of",
    }
    return f"{verbs.get(entry.action, 'changed')} {record}"


def describe(entries: Iterable[LogEntry]) -> list[TrailRow]:
    """Rows in words for a page of entries (select_related actor and content_type)."""
    entries = list(entries)
    names = Names()
    student_paths = registry.student_paths()
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        if model is not None and model._meta.label_lower in student_paths:
            names.want(model, entry.object_id or entry.object_pk)
        for model_field, _name, old, new in _field_changes(entry, model):
            if model_field is not None and model_field.is_relation:
                names.want(model_field.related_model, old)
                names.want(model_field.related_model, new)
        for key, label in DETAIL_RECORDS.items():
            if key in (entry.additional_data or {}):
                names.want(_model(label), entry.additional_data[key])
    names.load()
    rows = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        action = (entry.additional_data or {}).get("action")
        changes = _detail_lines(entry, names) if action else _change_lines(entry, model, names)
        summary = _summary(entry, _record(entry, model, names))
        rows.append(TrailRow(entry=entry, who=_who(entry), summary=summary, changes=changes, is_action=bool(action)))
    return rows
