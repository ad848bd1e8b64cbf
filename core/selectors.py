from auditlog.models import LogEntry

from accounts.scoping import scope_for


def audit_entries(*, user):
    """The audit trail a user may read: a coordinator their force's, an admin all; others nothing."""
    scope = scope_for(user)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if scope.is_admin:
        return entries
    if not scope.is_coordinator:
        return entries.none()
    return entries.filter(additional_data__force__in=list(scope.force_ids))
