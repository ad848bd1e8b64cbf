from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify

from accounts.scoping import scope_for
from placements.models import Programme

from . import documents, selectors, services
from .forms import PracticeReportForm

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
    return render(request, "reports/practice_report.html", {"programme": programme, "f": figures, "report": report})


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
