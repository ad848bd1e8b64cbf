from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import coordinator_required
from accounts.scoping import get_for_user, scope_for
from core.audit import record_sensitive_read
from placements.models import Force
from schools.models import Nomination

from . import selectors, services
from .forms import ErasureForm, RetentionPolicyForm
from .models import Erasure


def _nomination_for_coordinator(request, pk):
    """A nomination of the coordinator's own force, or 404."""
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
            services.student_erase(
                nomination=nomination, actor=request.user, reason=Erasure.Reason.REQUEST, note=form.cleaned_data["note"]
            )
        except services.RetentionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The student's personal data has been erased.")
            return redirect("schools:nomination_detail", pk=nomination.pk)
    status = 400 if request.method == "POST" and erasure is None else 200
    return render(
        request,
        "privacy/student_erase.html",
        {"nomination": nomination, "erasure": erasure, "form": form},
        status=status,
    )


@coordinator_required
def student_export(request, pk):
    """Subject access: a ZIP of JSON of everything held about one student, with certificate PDFs."""
    nomination = _nomination_for_coordinator(request, pk)
    record_sensitive_read(nomination)
    response = HttpResponse(selectors.student_export(nomination=nomination), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-nomination-{nomination.pk}.zip"'
    return response


@coordinator_required
def retention_policy(request, pk):
    """A force's retention periods: how long students' personal data is kept before the daily job erases it."""
    force = get_for_user(request.user, Force, pk=pk)
    if not scope_for(request.user).coordinates(force.pk):
        raise Http404
    policy = selectors.policy_for(force.pk)
    initial = {name: getattr(policy, name) for name in ("not_placed_months", "placed_months", "survey_text_months")}
    form = RetentionPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            services.retention_policy_save(force=force, actor=request.user, **form.cleaned_data)
            messages.success(request, "Retention periods saved.")
            return redirect("privacy:retention_policy", pk=force.pk)
        return render(request, "privacy/retention_policy.html", {"force": force, "form": form}, status=400)
    return render(request, "privacy/retention_policy.html", {"force": force, "form": form})
