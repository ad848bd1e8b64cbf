from __future__ import annotations

from typing import TYPE_CHECKING

from auditlog.models import LogEntry

from accounts.scoping import scope_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import QuerySet


def audit_entries(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[LogEntry]:
    """The audit trail a user may read: a coordinator their force's, an admin all; others nothing."""
    scope = scope_for(user)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if scope.is_admin:
        return entries
    if not scope.is_coordinator:
        return entries.none()
    return entries.filter(additional_data__force__in=list(scope.force_ids))
