from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts.access import coordinator_required, force_for_coordinator, get_for_coordinator, national_required
from accounts.scoping import scope_for
from core.spreadsheets import csv_response, xlsx_response
from core.tokens import token_guard, token_rejected
from placements.models import Force, Programme

from . import documents, presentation, selectors, services, trends as trend_tables
from .forms import NationalSharingForm, PracticeReportForm, ShareLinkForm
from .models import NationalSharing, ShareLink

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _programme_for_coordinator(request, pk):
    """The programme, for a coordinator of its force only: anyone else (another force, a school contact,
    a syndicate lead, a mentor) gets 404, since the report holds figures about every child on it."""
    programme = get_object_or_404(Programme.objects.select_related("force"), pk=pk)
    if not scope_for(request.user).coordinates(programme.force_id):
        raise Http404("No such programme.")
    return programme


@login_required
def practice_report(request, pk):
    """The preview: the whole report as it will print, with links to edit and download."""
    programme = _programme_for_coordinator(request, pk)
    figures = selectors.practice_report_figures(programme)
    report = selectors.report_for(programme)
    return render(
        request,
        "reports/practice_report.html",
        {"programme": programme, "f": figures, "report": report, "today": timezone.localdate()},
    )


@login_required
def practice_report_edit(request, pk):
    programme = _programme_for_coordinator(request, pk)
    report = selectors.report_for(programme)
    quotes = selectors.quote_choices(programme)
    initial = {
        "aims": report.aims,
        "selection": report.selection,
        "lessons_learned": report.lessons_learned,
        "next_steps": report.next_steps,
        "comparable_cost": report.comparable_cost,
        "comparable_cost_label": report.comparable_cost_label,
        "quotes": list(report.quotes.values_list("pk", flat=True)) if report.pk else [],
    }
    form = PracticeReportForm(request.POST or None, initial=initial, quote_queryset=quotes)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.practice_report_update(
                    programme=programme,
                    aims=data["aims"],
                    selection=data["selection"],
                    lessons_learned=data["lessons_learned"],
                    next_steps=data["next_steps"],
                    comparable_cost=data["comparable_cost"],
                    comparable_cost_label=data["comparable_cost_label"],
                    quote_ids=[answer.pk for answer in data["quotes"]],
                    actor=request.user,
                )
            except services.ReportError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status
            else:
                messages.success(request, "Practice report saved. This is how it will read.")
                return redirect("reports:practice_report", pk=programme.pk)
    return render(request, "reports/practice_report_edit.html", {"programme": programme, "form": form}, status=status)


def _filename(programme, extension):
    return f"practice-report-{slugify(programme.title) or programme.pk}.{extension}"


@login_required
def practice_report_pdf(request, pk):
    programme = _programme_for_coordinator(request, pk)
    pdf = documents.practice_report_pdf(selectors.practice_report_figures(programme))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(programme, "pdf")}"'
    return response


@login_required
def practice_report_docx(request, pk):
    programme = _programme_for_coordinator(request, pk)
    docx = documents.practice_report_docx(selectors.practice_report_figures(programme))
    response = HttpResponse(docx, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(programme, "docx")}"'
    return response


# --- trends, the national picture, sharing ---------------------------------------------------


def _force_of_coordinator(request):
    """The coordinator's own force (a platform admin, who has none, cannot act for a force here)."""
    scope = scope_for(request.user)
    if not scope.force_ids:
        raise PermissionDenied("Only a force's coordinators can do this.")
    return Force.objects.get(pk=next(iter(scope.force_ids)))


@coordinator_required
def trends(request):
    force = force_for_coordinator(request)
    figures = trend_tables.force_trends(force)
    national = trend_tables.national_for_force(force)
    context = presentation.trends_context(figures)
    context.update(
        {
            "force": force,
            "national": national,
            "comparison": presentation.comparison_rows(figures, national),
            "sharing": NationalSharing.objects.filter(force=force).first(),
        }
    )
    return render(request, "reports/trends.html", context)


@coordinator_required
def trends_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown format.")
    force = force_for_coordinator(request)
    rows = presentation.export_rows(trend_tables.force_trends(force))
    name = f"{force.slug}-trends"
    if fmt == "xlsx":
        return xlsx_response(rows, header=presentation.EXPORT_HEADER, filename=name, sheet="trends")
    return csv_response(rows, header=presentation.EXPORT_HEADER, filename=name)


@national_required
def national(request):
    figures = trend_tables.national_figures()
    return render(request, "reports/national.html", {"n": figures, **presentation.national_context(figures)})


@coordinator_required
def national_sharing(request):
    force = _force_of_coordinator(request)
    current = NationalSharing.objects.filter(force=force).first()
    initial = {"opted_in": "yes" if current and current.opted_in else "no"} if current else {}
    form = NationalSharingForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            services.national_sharing_set(force=force, opted_in=form.cleaned_data["opted_in"], actor=request.user)
            messages.success(
                request,
                "Your force's figures are now part of the national picture."
                if form.cleaned_data["opted_in"]
                else "Your force's figures are no longer part of the national picture.",
            )
            return redirect("reports:trends")
    return render(
        request,
        "reports/national_sharing.html",
        {"force": force, "form": form, "current": current, "min_forces": trend_tables.MIN_FORCES},
        status=status,
    )


@coordinator_required
def share_links(request):
    """The force's shared links, and a form to make one (its address is shown once, then only its hash is kept)."""
    force = _force_of_coordinator(request)
    programmes = trend_tables.finished_programmes([force])
    what = request.GET.get("what", "")
    form = ShareLinkForm(
        request.POST if request.method == "POST" else None, initial={"what": what}, programmes=programmes
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            programme = None
            if data["what"] != "trends":
                programme = next((p for p in programmes if str(p.pk) == data["what"]), None)
            try:
                link, token = services.share_link_create(
                    force=force,
                    programme=programme,
                    label=data["label"],
                    expires_on=data["expires_on"],
                    include_quotes=data["include_quotes"],
                    actor=request.user,
                )
            except services.ReportError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status
            else:
                url = request.build_absolute_uri(reverse("reports:shared", args=[token]))
                return render(request, "reports/share_link_created.html", {"link": link, "url": url})
    links = list(ShareLink.objects.filter(force=force).select_related("programme", "created_by"))
    today = timezone.localdate()
    for link in links:
        link.state_now = link.state(today)
    return render(request, "reports/share_links.html", {"form": form, "links": links, "force": force}, status=status)


@coordinator_required
@require_POST
def share_link_revoke(request, pk):
    link = get_for_coordinator(request.user, ShareLink.objects.select_related("force"), pk=pk)
    services.share_link_revoke(link=link, actor=request.user)
    messages.success(request, "The link has stopped working. Anyone who opens it now is told it has been withdrawn.")
    return redirect("reports:share_links")


def _shared_link(request, token):
    link, problem = services.share_link_open(token=token)
    if link is None:
        token_rejected(request, kind="shared report", token=token)
        return None, render(request, "reports/shared_gone.html", {"problem": "unknown"}, status=404)
    if problem:
        return None, render(request, "reports/shared_gone.html", {"problem": problem, "link": link}, status=410)
    return link, None


def _shared_figures(link):
    figures = selectors.practice_report_figures(link.programme)
    if not link.include_quotes:
        figures["outcomes"]["quotes"] = []
    return figures


@token_guard
def shared(request, token):
    """What a sponsor sees: aggregates only, no names; the practice report's quotes only if the coordinator chose."""
    link, refused = _shared_link(request, token)
    if refused:
        return refused
    if link.programme_id:
        response = render(request, "reports/shared_report.html", {"link": link, "f": _shared_figures(link)})
    else:
        figures = trend_tables.force_trends(link.force)
        context = presentation.trends_context(figures)
        response = render(request, "reports/shared_trends.html", {"link": link, "force": link.force, **context})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@token_guard
def shared_pdf(request, token):
    link, refused = _shared_link(request, token)
    if refused:
        return refused
    if not link.programme_id:
        raise Http404("This link opens a page, not a document.")
    pdf = documents.practice_report_pdf(_shared_figures(link))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(link.programme, "pdf")}"'
    response["Referrer-Policy"] = "no-referrer"
    return response
