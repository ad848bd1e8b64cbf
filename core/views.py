from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.access import coordinator_required

from .filters import AuditFilter
from .selectors import audit_entries
from .trail import describe


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_worker():
    from config.celery import app

    from .tasks import ping

    if app.conf.task_always_eager:
        return "eager (tasks run in the web process)"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    ping.apply_async().get(timeout=5)
    return "ok"


@never_cache
def health(request):
    """For a load balancer and monitoring: database, broker and a real worker round trip."""
    checks, healthy = {}, True
    for name, check in (("database", _check_database), ("worker", _check_worker)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - report any failure as unhealthy
            checks[name] = f"error: {type(exc).__name__}"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def rate_limited(request, exception=None):
    """Too many attempts from one address (tokens, codes, verification): a clear 429 page."""
    return render(request, "core/rate_limited.html", status=429)


AUDIT_PAGE_SIZE = 50


@coordinator_required
def audit_trail(request):
    """Coordinators read their force's audit trail, in words, filtered; nobody can edit it."""
    data = request.GET.copy()
    data.pop("page", None)
    filterset = AuditFilter(data or None, queryset=audit_entries(user=request.user), user=request.user)
    valid = not filterset.is_bound or filterset.is_valid()
    entries = filterset.qs if valid else filterset.queryset.none()
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": describe(page.object_list), "filter": filterset, "filtered": any(data.values())}
    return render(request, "core/audit_trail.html", context, status=200 if valid else 400)
