"""Coordinator pages for programmes and for planning and running the week; the syndicate lead's register."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import coordinator_required, get_for_coordinator, lead_required
from accounts.scoping import get_for_user, scope_for
from core.spreadsheets import csv_response

from . import selectors, services
from .forms import (
    AttendanceForm,
    ContingencyForm,
    PlacementMoveForm,
    PlanningHoursForm,
    SpendEntryForm,
    SyndicateBuildForm,
    SyndicateForm,
    TimetableForm,
)
from .models import Activity, Placement, Programme, Session, Syndicate
from .pdf import render_pdf
from .planning import PlanningError
from .sections import programme_sections


@coordinator_required
def programme_list(request):
    programmes = selectors.programme_list(user=request.user)
    return render(request, "placements/programme_list.html", {"programmes": programmes})


@coordinator_required
def programme_detail(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    sections = []
    for section in programme_sections():
        extra = section.context(programme, request) if section.context else {}
        sections.append({"section": section, "context": {"programme": programme, **extra}})
    return render(request, "placements/programme_detail.html", {"programme": programme, "sections": sections})


# --- the week: syndicates, timetable, contingency, attendance, budget ----------------------------------


def _errors(form):
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


# --- syndicates -------------------------------------------------------------------------------


@coordinator_required
def syndicates(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    leads = selectors.vetted_leads(programme=programme)
    board = selectors.syndicate_board(programme=programme)
    current = [row["syndicate"].lead_id for row in board["rows"] if row["syndicate"].lead_id]
    context = {
        "programme": programme,
        "board": board,
        "build_form": SyndicateBuildForm(leads=leads, initial={"leads": current, "size": 4}),
        "leads": list(leads),
        "syndicate_choices": [row["syndicate"] for row in board["rows"]],
    }
    return render(request, "placements/syndicates.html", context)


@require_POST
@coordinator_required
def syndicates_build(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    form = SyndicateBuildForm(request.POST, leads=selectors.vetted_leads(programme=programme))
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("placements:syndicates", pk=pk)
    try:
        plan = services.syndicates_build(
            programme=programme, size=form.cleaned_data["size"], leads=form.cleaned_data["leads"], actor=request.user
        )
    except PlanningError as error:
        messages.error(request, str(error))
        return redirect("placements:syndicates", pk=pk)
    messages.success(request, plan.explanation)
    for warning in plan.warnings:
        messages.warning(request, warning)
    if programme.sessions.exists():
        messages.warning(request, "Syndicates changed: generate the timetable again so it uses them.")
    return redirect("placements:syndicates", pk=pk)


@require_POST
@coordinator_required
def syndicate_update(request, pk, syndicate_pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    syndicate = get_object_or_404(programme.syndicates, pk=syndicate_pk)
    form = SyndicateForm(request.POST, leads=selectors.vetted_leads(programme=programme))
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("placements:syndicates", pk=pk)
    try:
        services.syndicate_update(
            syndicate=syndicate,
            lead=form.cleaned_data["lead"],
            is_locked=form.cleaned_data["is_locked"],
            actor=request.user,
        )
    except PlanningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{syndicate.name} saved.")
    return redirect("placements:syndicates", pk=pk)


@require_POST
@coordinator_required
def placement_move(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    form = PlacementMoveForm(request.POST, programme=programme)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("placements:syndicates", pk=pk)
    try:
        services.placement_move(
            placement=form.cleaned_data["placement"], syndicate=form.cleaned_data["syndicate"], actor=request.user
        )
    except PlanningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Student moved.")
    return redirect("placements:syndicates", pk=pk)


# --- timetable --------------------------------------------------------------------------------


@coordinator_required
def timetable(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    sessions = selectors.timetable(programme=programme)
    # The activities of the current plan, or for a first plan the force's regular (non-contingency) ones.
    chosen = sorted({s.activity_id for s in sessions if s.replaces_id is None}) or list(
        Activity.objects.filter(force=programme.force_id, is_active=True, is_contingency=False).values_list(
            "pk", flat=True
        )
    )
    form = TimetableForm(programme=programme, initial={"activities": chosen})
    syndicates = list(programme.syndicates.order_by("name"))
    context = {
        "programme": programme,
        "grid": selectors.week_grid(programme=programme, sessions=sessions, syndicates=syndicates),
        "form": form,
        "syndicates": syndicates,
        "has_sessions": bool(sessions),
    }
    return render(request, "placements/timetable.html", context)


@require_POST
@coordinator_required
def timetable_generate(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    form = TimetableForm(request.POST, programme=programme)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("placements:timetable", pk=pk)
    try:
        planned = services.timetable_generate(
            programme=programme, activities=list(form.cleaned_data["activities"]), actor=request.user
        )
    except PlanningError as error:
        messages.error(request, f"The timetable could not be made: {error}")
        return redirect("placements:timetable", pk=pk)
    messages.success(request, f"Timetable generated: {len(planned)} sessions.")
    return redirect("placements:timetable", pk=pk)


@coordinator_required
def syndicate_schedule(request, pk, syndicate_pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    syndicate = get_object_or_404(programme.syndicates.select_related("lead"), pk=syndicate_pk)
    sessions = selectors.timetable(programme=programme, syndicate=syndicate)
    return render(
        request,
        "placements/syndicate_schedule.html",
        {"programme": programme, "syndicate": syndicate, "sessions": sessions},
    )


@coordinator_required
def department_schedule(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    return render(
        request,
        "placements/department_schedule.html",
        {"programme": programme, "departments": selectors.department_schedule(programme=programme)},
    )


@coordinator_required
def run_sheet(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    pdf = render_pdf("placements/run_sheet.html", selectors.run_sheet_context(programme=programme))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="run-sheet-{programme.pk}.pdf"'
    return response


@coordinator_required
def session_swap(request, pk, session_pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    session = get_object_or_404(
        programme.sessions.select_related("activity__department").prefetch_related("syndicates__lead"),
        pk=session_pk,
    )
    if session.status == Session.Status.CANCELLED:
        messages.info(request, "That session is already cancelled.")
        return redirect("placements:timetable", pk=pk)
    options = services.contingency_candidates(session=session)
    form = ContingencyForm(request.POST or None, options=options)
    if request.method == "POST" and form.is_valid():
        try:
            replacement = services.session_replace(
                session=session, activity=form.cleaned_data["activity"], actor=request.user
            )
        except PlanningError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"{session.activity} cancelled; {replacement.activity} runs instead. The leads are emailed."
            )
            return redirect("placements:timetable", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "placements/session_swap.html",
        {"programme": programme, "session": session, "options": options, "form": form},
        status=status,
    )


# --- attendance -------------------------------------------------------------------------------


@coordinator_required
def attendance(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    grid = selectors.attendance_grid(programme=programme)
    return render(request, "placements/attendance.html", {"programme": programme, "grid": grid})


def _register_day(request, programme):
    days = programme.days
    raw = request.POST.get("day") or request.GET.get("day")
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise Http404("No such day.") from None
        if day not in days:
            raise Http404("Not a day of the programme.")
        return day
    today = timezone.localdate()
    return today if today in days else None


@login_required
def register(request, syndicate_pk):
    """A lead's one-tap register for their syndicate (a coordinator of the force may use it too)."""
    syndicate = get_for_user(request.user, Syndicate.objects.select_related("programme", "lead"), pk=syndicate_pk)
    programme = syndicate.programme
    day = _register_day(request, programme)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.method == "POST":
        form = AttendanceForm(request.POST)
        if day is None or not form.is_valid():
            message = "Choose a programme day and a status." if form.is_valid() else _errors(form)
            if wants_json:
                return JsonResponse({"ok": False, "error": message}, status=400)
            messages.error(request, message)
            return redirect(f"{request.path}?day={day.isoformat()}" if day else request.path)
        placement = get_object_or_404(
            Placement.objects.select_related("programme", "nomination"),
            pk=form.cleaned_data["placement"],
            syndicate=syndicate,
        )
        try:
            mark = services.attendance_mark(
                placement=placement,
                day=day,
                status=form.cleaned_data["status"],
                arrived_at=form.cleaned_data["arrived_at"],
                actor=request.user,
            )
        except PlanningError as error:
            if wants_json:
                return JsonResponse({"ok": False, "error": str(error)}, status=400)
            messages.error(request, str(error))
        else:
            label = mark.get_status_display() + (f" {mark.arrived_at:%H:%M}" if mark.arrived_at else "")
            if wants_json:
                return JsonResponse({"ok": True, "placement": placement.pk, "status": mark.status, "label": label})
            messages.success(request, f"{placement.nomination.full_name}: {label}.")
        return redirect(f"{request.path}?day={day.isoformat()}")
    rows = selectors.register(syndicate=syndicate, day=day) if day else []
    sessions = [
        s
        for s in selectors.timetable(programme=programme, syndicate=syndicate)
        if day and timezone.localtime(s.starts_at).date() == day
    ]
    return render(
        request,
        "placements/register.html",
        {"syndicate": syndicate, "programme": programme, "day": day, "rows": rows, "sessions": sessions},
    )


# --- budget -----------------------------------------------------------------------------------


@coordinator_required
def budget(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    spend_form = SpendEntryForm(prefix="spend", initial={"date": timezone.localdate()})
    hours_form = PlanningHoursForm(prefix="hours", programme=programme)
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "spend":
                spend_form = SpendEntryForm(request.POST, prefix="spend")
                if spend_form.is_valid():
                    data = spend_form.cleaned_data
                    services.spend_entry_add(
                        programme=programme,
                        category=data["category"],
                        day=data["date"],
                        amount=data["amount"],
                        note=data["note"],
                        actor=request.user,
                    )
                    messages.success(request, "Spend recorded.")
                    return redirect("placements:budget", pk=pk)
            elif which == "hours":
                hours_form = PlanningHoursForm(request.POST, prefix="hours", programme=programme)
                if hours_form.is_valid():
                    services.planning_hours_set(
                        programme=programme,
                        department=hours_form.cleaned_data["department"],
                        hours=hours_form.cleaned_data["hours"],
                        actor=request.user,
                    )
                    messages.success(request, "Planning hours saved.")
                    return redirect("placements:budget", pk=pk)
        except PlanningError as error:
            messages.error(request, str(error))
        status = 400
    else:
        status = 200
    context = {
        "programme": programme,
        "summary": selectors.budget_summary(programme=programme),
        "spend_form": spend_form,
        "hours_form": hours_form,
    }
    return render(request, "placements/budget.html", context, status=status)


@coordinator_required
def budget_csv(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    summary = selectors.budget_summary(programme=programme)
    rows = [
        ("budget line", line.get_category_display(), "", line.description, line.planned, line.actual)
        for line in summary["lines"]
    ]
    rows += [
        ("spend", entry.budget_line.get_category_display(), entry.date, entry.note, "", entry.amount)
        for entry in summary["entries"]
    ]
    rows += [
        ("total", "", "", "", summary["planned"], summary["actual"]),
        ("cost per student", "", "", f"{summary['students']} students", "", summary["cost_per_student"]),
        (),
        ("department", "sessions", "delivery hours", "planning hours", "total hours"),
    ]
    rows += [
        (row["department"].name, row["sessions"], row["delivery"], row["planning"], row["total"])
        for row in summary["hours"]
    ]
    header = ["section", "category", "date", "description", "planned", "actual"]
    return csv_response(rows, header=header, filename=f"budget-{programme.pk}")


@coordinator_required
def activities(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    context = {"programme": programme, **selectors.activity_catalogue(programme=programme)}
    return render(request, "placements/activities.html", context)


@lead_required
def lead_home(request):
    """The syndicate lead's start page: their syndicates and today's sessions."""
    items = selectors.lead_syndicates(user=request.user, person_id=scope_for(request.user).person_id)
    return render(request, "placements/lead_home.html", {"items": items})
