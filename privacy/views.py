from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from accounts.access import coordinator_required, force_for_coordinator
from accounts.scoping import get_for_user, scope_for
from core.audit import record_sensitive_read
from placements.models import Force
from schools.models import Nomination

from . import notices, selectors, services
from .forms import ErasureForm, ForceNoticeForm, RetentionPolicyForm
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


def _force_for_coordinator(request, pk):
    """The coordinator's own force, or 404."""
    force = get_for_user(request.user, Force, pk=pk)
    if not scope_for(request.user).coordinates(force.pk):
        raise Http404
    return force


@coordinator_required
def privacy_home(request):
    """The coordinator's privacy pages in one place: retention, the public notices, the audit trail."""
    force = force_for_coordinator(request)
    notice = notices.notice_for(force)
    context = {"force": force, "notice": notice, "policy": selectors.policy_for(force.pk)}
    return render(request, "privacy/home.html", context)


@coordinator_required
def force_notices(request, pk):
    """Edit the force's public contact, privacy notice and accessibility statement (plain text)."""
    force = _force_for_coordinator(request, pk)
    notice = notices.notice_for(force)
    standard = {
        "privacy_notice": notices.standard_privacy_notice(notice),
        "accessibility_statement": notices.standard_accessibility_statement(notice),
    }
    initial = {
        "default_language": force.default_language,
        "contact_email": notice.contact_email,
        "data_protection_officer": notice.data_protection_officer,
        "privacy_notice": notice.privacy_notice or standard["privacy_notice"],
        "accessibility_statement": notice.accessibility_statement or standard["accessibility_statement"],
    }
    form = ForceNoticeForm(request.POST or None, initial=initial, standard=standard)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.force_notice_save(force=force, actor=request.user, **form.cleaned_data)
            except services.NoticeError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Saved. The public pages show the new text now.")
                return redirect("privacy:force_notices", pk=force.pk)
    context = {"force": force, "notice": notice, "form": form}
    return render(request, "privacy/force_notices.html", context, status=status)


# Public pages (no sign-in): every force publishes both.


def _public_notice(request, slug, *, kind):
    force = get_object_or_404(Force, slug=slug)
    notice = notices.notice_for(force)
    if kind == "privacy":
        title, text = gettext("Privacy notice"), notices.privacy_notice_text(notice)
    else:
        title, text = gettext("Accessibility statement"), notices.accessibility_statement_text(notice)
    context = {"force": force, "notice": notice, "title": title, "blocks": notices.blocks(text), "kind": kind}
    return render(request, "privacy/public_notice.html", context)


def privacy_notice(request, slug):
    """A force's privacy notice for parents, students and schools."""
    return _public_notice(request, slug, kind="privacy")


def accessibility_statement(request, slug):
    """A force's accessibility statement for this service."""
    return _public_notice(request, slug, kind="accessibility")


def notice_index(request, kind):
    """Every force using this service, each with its privacy notice or accessibility statement."""
    title = gettext("Privacy notices") if kind == "privacy" else gettext("Accessibility statements")
    forces = Force.objects.order_by("name").only("name", "slug")
    return render(request, "privacy/notice_index.html", {"forces": forces, "kind": kind, "title": title})


@coordinator_required
def retention_policy(request, pk):
    """A force's retention periods: how long students' personal data is kept before the daily job erases it."""
    force = _force_for_coordinator(request, pk)
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
