"""Audit trail glue for django-auditlog: masking, the force each entry belongs to, sensitive reads."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from auditlog.signals import accessed
from django.utils.dateformat import format as format_date

from accounts.scoping import FORCE_PATHS

from .personal_data import registry

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import Model


# Details of named actions that hold a row's number, and the model of that row ("lead":
# "placements.forceperson"): the trail page shows the row's name, never its number. Each app
# registers its own from its AppConfig.ready(); an undeclared key named after a model ("placement")
# is shown as "another record", and other numbers as counts.
DETAIL_RECORDS: dict[str, str] = {}


def register_detail_records(**labels: str) -> None:
    """Declare which details of this app's named actions are rows of which model (by label)."""
    DETAIL_RECORDS.update(labels)


def mask(value: Any) -> str:
    """Audit-log mask: record that a personal field changed, never its value."""
    return "[hidden]" if value not in (None, "", "None") else ""


def day_in_words(value: date | str, fmt: str = "j F Y") -> str:
    """A day as words for a trail entry's name ("13 July 2026"); a day not yet parsed is shown as given."""
    return format_date(value, fmt) if isinstance(value, date) else str(value)


def force_id_of(instance: Model) -> int | None:
    """Follow the model's path in FORCE_PATHS to its force id, or None."""
    path = FORCE_PATHS.get(instance._meta.label_lower)
    if path is None:
        return None
    if path == "pk":
        return instance.pk
    obj = instance
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def tag_entry(
    sender: type[Model],
    instance: Model,
    log_entry: LogEntry | None = None,
    log_created: bool = False,
    **kwargs: Any,
) -> None:
    """post_log receiver: file each entry under its force, and keep names out of the trail."""
    if not log_created or log_entry is None:
        return
    updates = {"additional_data": {**(log_entry.additional_data or {}), "force": force_id_of(instance)}}
    # Models whose str() is a child's name (declared in each app's privacy.py): named in plain words instead.
    name = registry.trail_name(instance)
    if name is not None:
        updates["object_repr"] = name
    LogEntry.objects.filter(pk=log_entry.pk).update(**updates)


def record_sensitive_read(instance: Model) -> None:
    """Record that someone read a record's medical or support notes (who, when, from where)."""
    accessed.send(sender=instance.__class__, instance=instance)


def audit_action(
    *, actor: AbstractBaseUser | AnonymousUser | None, action: str, instance: Model, **details: Any
) -> LogEntry | None:
    """Record a named business action ("Syndicates built") on `instance` in the audit trail.

    Like pretix's log_action: the trail says what a person did, not only which fields changed. The
    entry is filed under the instance's force, named in plain words without it where its name is a child's,
    and `details` must hold no personal data: counts ("sessions"), rows' ids under keys declared with
    `register_detail_records` (any other key named after a model is shown as "another record"), yes/no,
    amounts, or lists of words.
    """
    name = registry.trail_name(instance) or str(instance)
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        object_repr=name,
        additional_data={"action": action, "force": force_id_of(instance), **details},
    )
