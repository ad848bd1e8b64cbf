from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.access import coordinator_required
from accounts.scoping import get_for_user, scope_for

from . import retention
from .audit import record_sensitive_read
from .forms import ErasureForm, RetentionPolicyForm
from .models import Erasure
from .selectors import audit_entries


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


@coordinator_required
def audit_trail(request):
    """Coordinators read their force's audit trail; nobody can edit it."""
    page = Paginator(audit_entries(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_trail.html", {"page": page})


def _nomination_for_coordinator(request, pk):
    """A nomination of the coordinator's own force, or 404."""
    from schools.models import Nomination

    nomination = get_for_user(request.user, Nomination.objects.select_related("programme", "institution"), pk=pk)
    if not scope_for(request.user).coordinates(nomination.programme.force_id):
        raise Http404
    return nomination


@coordinator_required
def student_erase(request, pk):
    """Erase one student's personal data on request, after a confirmation step (the change is POST only)."""
    nomination = _nomination_for_coordinator(request, pk)
    erasure = Erasure.objects.filter(nomination=nomination).first()
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and erasure is None and form.is_valid():
        try:
            retention.student_erase(
                nomination=nomination, actor=request.user, reason=Erasure.Reason.REQUEST, note=form.cleaned_data["note"]
            )
        except retention.RetentionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The student's personal data has been erased.")
            return redirect("schools:nomination_detail", pk=nomination.pk)
    status = 400 if request.method == "POST" and erasure is None else 200
    return render(
        request, "core/student_erase.html", {"nomination": nomination, "erasure": erasure, "form": form}, status=status
    )


@coordinator_required
def student_export(request, pk):
    """Subject access: a ZIP of JSON of everything held about one student, with certificate PDFs."""
    nomination = _nomination_for_coordinator(request, pk)
    record_sensitive_read(nomination)
    response = HttpResponse(retention.student_export(nomination=nomination), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-nomination-{nomination.pk}.zip"'
    return response


@coordinator_required
def retention_policy(request, pk):
    """A force's retention periods: how long students' personal data is kept before the daily job erases it."""
    from placements.models import Force

    force = get_for_user(request.user, Force, pk=pk)
    if not scope_for(request.user).coordinates(force.pk):
        raise Http404
    policy = retention.policy_for(force.pk)
    initial = {name: getattr(policy, name) for name in ("not_placed_months", "placed_months", "survey_text_months")}
    form = RetentionPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            retention.retention_policy_save(force=force, actor=request.user, **form.cleaned_data)
            messages.success(request, "Retention periods saved.")
            return redirect("core:retention_policy", pk=force.pk)
        return render(request, "core/retention_policy.html", {"force": force, "form": form}, status=400)
    return render(request, "core/retention_policy.html", {"force": force, "form": form})
