import io
import logging
import zipfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from accounts.access import coordinator_required, get_for_coordinator
from accounts.scoping import get_for_user, scope_for
from core.languages import language_for_student, language_remember
from core.tokens import token_guard, token_rejected
from placements.models import Programme

from . import rendering, selectors, services
from .forms import CertificateTemplateForm, OrderForm, ReissueForm, RevokeForm, VerifyForm
from .models import Certificate, CertificateTemplate, IssueJob

STUDENT_SESSION_KEY = "certificate_placement_id"

logger = logging.getLogger(__name__)


def _coordinator_or_contact(request):
    scope = scope_for(request.user)
    if not (scope.is_admin or scope.is_coordinator or scope.is_contact):
        raise PermissionDenied("Only coordinators and institution contacts can open certificates.")
    return scope


def _certificate_for_coordinator(request, pk):
    return get_for_coordinator(request.user, Certificate.objects.select_related("placement__programme"), pk=pk)


def _pdf_response(data, filename, *, inline=False):
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _order(request):
    form = OrderForm(request.GET)
    return (form.cleaned_data.get("order") if form.is_valid() else "") or "alphabetical"


def _filename(certificate):
    return f"certificate-{certificate.serial:06d}-{slugify(certificate.printed_name) or 'student'}.pdf"


def _pdf_download(certificate):
    """The stored PDF as a download, or a 404 that says what to do if storage has lost the file."""
    try:
        handle = certificate.pdf.open("rb") if certificate.pdf else None
    except OSError:
        logger.error("Certificate %s: stored PDF %s is missing", certificate.pk, certificate.pdf.name)
        handle = None
    if handle is None:
        raise Http404("This certificate's PDF is missing. Ask the coordinator to reissue it.")
    return FileResponse(handle, as_attachment=True, filename=_filename(certificate), content_type="application/pdf")


def _stored_pdfs(request, certificates):
    """The certificates' stored PDFs as (certificate, bytes); None, with a message saying which are
    missing, if storage has lost any (a ZIP or ceremony PDF quietly short of a student is worse)."""
    found, missing = [], []
    for certificate in certificates:
        try:
            with certificate.pdf.open("rb") as handle:
                found.append((certificate, handle.read()))
        except (OSError, ValueError):  # ValueError: no file recorded at all
            missing.append(certificate)
    if missing:
        logger.error("Stored PDFs missing for certificates %s", [c.pk for c in missing])
        serials = ", ".join(f"{c.serial:06d}" for c in missing[:10]) + (" and more" if len(missing) > 10 else "")
        messages.error(
            request,
            f"The PDFs of {len(missing)} certificate(s) are missing from storage (no. {serials}). "
            "Reissue them, then download again.",
        )
        return None
    return found


# Coordinators and institution contacts ------------------------------------------------------------


@login_required
def programme_certificates(request, pk):
    """A programme's certificates: all of them for its coordinator, a contact's own students' for a contact."""
    scope = _coordinator_or_contact(request)
    programme = get_for_user(request.user, Programme.objects.select_related("force"), pk=pk)
    order = _order(request)
    certificates = list(selectors.certificate_list(user=request.user, programme=programme, order=order))
    coordinates = scope.coordinates(programme.force_id)
    context = {
        "programme": programme,
        "certificates": certificates,
        "valid_count": sum(1 for c in certificates if c.status == Certificate.Status.VALID),
        "coordinates": coordinates,
        "order": order,
        "correctable": set(),
    }
    if coordinates:
        rows = selectors.programme_eligibility(programme=programme, hours=False)  # the page shows no hours
        context["ineligible"] = [r for r in rows if not r.eligible]
        due = {r.placement.pk for r in rows if r.to_issue}
        # Revoked, not reissued, and the student still due one: offer the corrected certificate.
        context["correctable"] = {
            c.pk
            for c in certificates
            if c.status == Certificate.Status.REVOKED and not c.student_holds_valid and c.placement_id in due
        }
    return render(request, "certificates/programme_certificates.html", context)


@coordinator_required
@require_POST
def programme_issue(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    try:
        job = services.certificate_issue_job_start(programme=programme, actor=request.user)
    except services.CertificateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Issuing {job.total} certificate(s); progress shows below.")
    return redirect(reverse("placements:programme_detail", args=[programme.pk]) + "#certificates")


@coordinator_required
def job_progress(request, pk):
    job = get_for_user(request.user, IssueJob, pk=pk)
    return JsonResponse(
        {"status": job.status, "issued": job.issued, "total": job.total, "percent": job.percent, "error": job.error}
    )


@login_required
def certificate_download(request, pk):
    _coordinator_or_contact(request)
    certificate = get_for_user(request.user, Certificate, pk=pk)
    return _pdf_download(certificate)


@login_required
def programme_zip(request, pk):
    """A ZIP of the valid certificates of a programme the user may see (a contact: only their students')."""
    _coordinator_or_contact(request)
    programme = get_for_user(request.user, Programme, pk=pk)
    certificates = selectors.certificate_list(user=request.user, programme=programme, include_revoked=False)
    stored = _stored_pdfs(request, certificates)
    if stored is None:
        return redirect("certificates:programme_certificates", pk=programme.pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate, pdf in stored:
            archive.writestr(_filename(certificate), pdf)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="certificates-{slugify(programme.title)}.zip"'
    return response


@coordinator_required
def programme_ceremony_pdf(request, pk):
    """Every valid certificate in one print-ready PDF, one per page, for the awards ceremony."""
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    order = _order(request)
    certificates = selectors.certificate_list(
        user=request.user, programme=programme, order=order, include_revoked=False
    )
    stored = _stored_pdfs(request, certificates)
    if stored is None:
        return redirect("certificates:programme_certificates", pk=programme.pk)
    pdfs = [pdf for _certificate, pdf in stored]
    if not pdfs:
        messages.error(request, "There are no certificates to print yet.")
        return redirect("certificates:programme_certificates", pk=programme.pk)
    return _pdf_response(rendering.combine_pdfs(pdfs), f"ceremony-{slugify(programme.title)}-{order}.pdf")


@coordinator_required
def certificate_revoke(request, pk):
    """Revoke a certificate: with a corrected one issued in the same step, or on its own."""
    certificate = _certificate_for_coordinator(request, pk)
    form = RevokeForm(request.POST or None, initial={"printed_name": certificate.printed_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if certificate.status != Certificate.Status.VALID:
                raise services.CertificateError("This certificate is already revoked.")
            if data["then"] == RevokeForm.REISSUE:
                new = services.certificate_reissue(
                    certificate=certificate,
                    actor=request.user,
                    printed_name=data["printed_name"],
                    reason=data["reason"],
                )
            else:
                services.certificate_revoke(certificate=certificate, actor=request.user, reason=data["reason"])
        except services.CertificateError as exc:
            form.add_error(None, str(exc))
        else:
            if data["then"] == RevokeForm.REISSUE:
                message = (
                    f"Certificate {certificate.serial:06d} revoked, and corrected certificate {new.serial:06d} "
                    f"issued to {new.printed_name}."
                )
            else:
                message = (
                    f"Certificate {certificate.serial:06d} revoked: its code no longer verifies. "
                    f"{certificate.printed_name} is listed as still to issue until a corrected certificate is issued."
                )
            messages.success(request, message)
            return redirect("certificates:programme_certificates", pk=certificate.placement.programme_id)
    return render(
        request,
        "certificates/certificate_revoke.html",
        {"certificate": certificate, "form": form},
        status=400 if form.errors else 200,
    )


@coordinator_required
def certificate_reissue(request, pk):
    """Issue a corrected certificate in place of a valid one, or of a revoked one that was not reissued."""
    certificate = _certificate_for_coordinator(request, pk)
    was_valid = certificate.status == Certificate.Status.VALID
    form = ReissueForm(request.POST or None, initial={"printed_name": certificate.printed_name})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.certificate_reissue(
                certificate=certificate, actor=request.user, printed_name=form.cleaned_data["printed_name"]
            )
        except services.CertificateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Corrected certificate {new.serial:06d} issued to {new.printed_name}; "
                f"certificate {certificate.serial:06d} {'is revoked' if was_valid else 'stays revoked'}.",
            )
            return redirect("certificates:programme_certificates", pk=certificate.placement.programme_id)
    refusal = None if form.errors else selectors.reissue_refusal(certificate=certificate)
    return render(
        request,
        "certificates/certificate_action.html",
        {"certificate": certificate, "form": form, "was_valid": was_valid, "refusal": refusal},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def student_link_create(request, pk):
    """Make a student's own link to their certificate and show it once, to pass on to them."""
    _coordinator_or_contact(request)
    certificate = get_for_user(request.user, Certificate.objects.select_related("placement__programme"), pk=pk)
    if certificate.status != Certificate.Status.VALID:
        raise Http404("No valid certificate found.")
    _link, token = services.student_link_create(placement=certificate.placement, actor=request.user)
    url = request.build_absolute_uri(reverse("certificates:student_open", args=[token]))
    return render(request, "certificates/student_link.html", {"certificate": certificate, "url": url})


# Templates ---------------------------------------------------------------------------------------


@coordinator_required
def template_list(request):
    from accounts.scoping import scoped

    templates = scoped(request.user, CertificateTemplate).select_related("force")
    return render(request, "certificates/template_list.html", {"templates": templates})


def _force_for(request):
    person = getattr(request.user, "force_person", None)
    if person is None or not person.is_coordinator:
        raise PermissionDenied("Only a force's coordinator can create its certificate templates.")
    return person.force


@coordinator_required
def template_edit(request, pk=None):
    if pk is None:
        template = CertificateTemplate(force=_force_for(request))
    else:
        template = get_for_user(request.user, CertificateTemplate, pk=pk)
    form = CertificateTemplateForm(request.POST or None, request.FILES or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_template_save(template=form.save(commit=False), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Certificate template saved. Check the preview before issuing.")
            return redirect("certificates:template_list")
    return render(
        request,
        "certificates/template_form.html",
        {"form": form, "template": template},
        status=400 if form.errors else 200,
    )


@coordinator_required
def template_preview(request, pk):
    """The template rendered for a sample student, before anything is issued."""
    template = get_for_user(request.user, CertificateTemplate.objects.select_related("force"), pk=pk)
    today = timezone.localdate()
    content = rendering.CertificateContent(
        student_name="Sample Student",
        programme_title=f"{template.force.name} {template.get_programme_kind_display().lower()}",
        start_date=today,
        end_date=today,
        hours_attended=30,
        force_name=template.force.name,
        serial=0,
        verification_code="SAMPLEPREVIEW000",
    )
    pdf = rendering.render_certificate(rendering.TemplateDesign.from_template(template), content)
    return _pdf_response(pdf, "certificate-preview.pdf", inline=True)


# Students (no account: a token link) ---------------------------------------------------------------


@token_guard
def student_open(request, token):
    """Move the token into the session and redirect to a URL without it (as password reset does)."""
    link = services.student_link_open(token=token)
    if link is None:
        token_rejected(request, kind="certificate", token=token)
        return render(request, "certificates/student_link_invalid.html", status=404)
    request.session[STUDENT_SESSION_KEY] = link.placement_id
    request.session.cycle_key()
    language_remember(request, language_for_student(link.placement.nomination))
    return redirect("certificates:student_certificate")


def _student_certificate(request):
    placement_id = request.session.get(STUDENT_SESSION_KEY)
    certificate = (
        Certificate.objects.select_related("placement__programme__force")
        .filter(placement_id=placement_id, status=Certificate.Status.VALID)
        .first()
        if placement_id
        else None
    )
    if certificate is None:
        raise Http404("No certificate found for this link.")
    return certificate


def student_certificate(request):
    certificate = _student_certificate(request)
    return render(request, "certificates/student.html", {"certificate": certificate})


def student_download(request):
    return _pdf_download(_student_certificate(request))


# Public verification -------------------------------------------------------------------------------


def _rate_limited(request):
    response = render(request, "certificates/rate_limited.html", status=429)
    response["Retry-After"] = "600"
    return response


def verify_form(request):
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("verify:result", code=form.cleaned_data["code"])
    return render(request, "certificates/verify_form.html", {"form": form}, status=400 if form.errors else 200)


def verify_result(request, code):
    # Per client address, against guessing codes (django-ratelimit counts in the shared cache).
    rate = getattr(settings, "CERTIFICATE_VERIFY_RATE", "30/10m")
    if is_ratelimited(request, group="certificates:verify", key="ip", rate=rate, increment=True):
        return _rate_limited(request)
    normalised = services.normalise_code(code)
    if normalised != code:
        return redirect("verify:result", code=normalised) if normalised else redirect("verify:form")
    certificate = (
        Certificate.objects.select_related("placement__programme__force", "replaced_by")
        .filter(verification_code=code)
        .first()
    )
    if certificate is None:
        response = render(
            request, "certificates/verify_form.html", {"form": VerifyForm(), "not_found": code}, status=404
        )
    else:
        response = render(request, "certificates/verify_result.html", {"certificate": certificate})
    response["X-Robots-Tag"] = "noindex"
    return response
