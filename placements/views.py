"""Coordinator pages for programmes and for planning and running the week; the syndicate lead's register."""

import copy
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import coordinator_required, force_for_coordinator, get_for_coordinator, lead_required
from accounts.scoping import get_for_user, scope_for, scoped
from core import fragments
from core.invitations import InvitationKind, Invited, invitation_accept_view, invitation_open_view
from core.services import email_render
from core.spreadsheets import csv_response

from . import selectors, services
from .filters import PeopleFilter
from .forms import (
    ActivityForm,
    ActivityInUseForm,
    AttendanceForm,
    BudgetLineAddForm,
    BudgetLineForm,
    ContingencyForm,
    DepartmentForm,
    FundingForm,
    NewProgrammeForm,
    PersonForm,
    PlacementMoveForm,
    PlanningHoursForm,
    ProgrammeCopyForm,
    ProgrammeForm,
    SpendEntryForm,
    SyndicateBuildForm,
    SyndicateForm,
    TimetableForm,
    UnavailabilityForm,
    outcome_formset,
)
from .models import (
    Activity,
    BudgetLine,
    Department,
    DepartmentUnavailability,
    ForcePerson,
    Placement,
    Programme,
    Session,
    Syndicate,
)
from .pdf import render_pdf
from .planning import PlanningError
from .sections import programme_sections
from .tasklist import next_task, task_list

PROGRAMME_PAGE_SIZE = 30


@coordinator_required
def programme_list(request):
    """The programmes the user may see, newest first, a page at a time (a force has a few a year; a platform
    admin sees every force's)."""
    page = Paginator(selectors.programme_list(user=request.user), PROGRAMME_PAGE_SIZE).get_page(request.GET.get("page"))
    programmes = list(page.object_list)
    # The table is most of the page's time: kept rendered under a digest of its rows (core.fragments).
    table = (
        fragments.rendered(
            "placements/_programme_table.html",
            {"programmes": programmes, "show_force": scope_for(request.user).is_admin},
        )
        if programmes
        else ""
    )
    return render(request, "placements/programme_list.html", {"programmes": programmes, "page": page, "table": table})


@coordinator_required
def programme_detail(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    tasks = task_list(programme, timezone.localdate())
    sections = []
    for section in programme_sections():
        extra = section.context(programme, request) if section.context else {}
        sections.append({"section": section, "context": {"programme": programme, **extra}})
    # Cancelling is the one stage set by hand (not derived from dates and facts): nothing is left to do.
    cancelled = programme.status == Programme.Status.CANCELLED
    context = {
        "programme": programme,
        "tasks": tasks,
        "next_task": None if cancelled else next_task(tasks),
        "cancelled": cancelled,
        "sections": sections,
    }
    return render(request, "placements/programme_detail.html", context)


def _apply_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- programme set-up: new, edit, copy, cancel ----------------------------------------------------


@coordinator_required
def programme_create(request):
    force = force_for_coordinator(request)
    form = NewProgrammeForm(request.POST or None, instance=Programme(force=force))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                programme = services.programme_create(
                    force=force, details=form.details(), planned_budget=form.planned_budget(), actor=request.user
                )
            except PlanningError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    f"{programme.title} created. Next: choose the schools and their quotas, "
                    "and check the planned budget.",
                )
                return redirect("placements:programme_detail", pk=programme.pk)
    return render(request, "placements/programme_form.html", {"form": form, "force": force}, status=status)


@coordinator_required
def programme_edit(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    cancelled = programme.status == Programme.Status.CANCELLED
    # The form works on a copy: a refused edit must not show half-changed details around the page.
    form = ProgrammeForm(None if cancelled else (request.POST or None), instance=copy.copy(programme))
    status = 200
    if request.method == "POST":
        status = 409 if cancelled else 400
        if cancelled:
            messages.error(request, "This programme is cancelled, so its details can no longer be changed.")
        elif form.is_valid():
            try:
                saved = services.programme_update(programme=programme, details=form.details(), actor=request.user)
            except PlanningError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, "Programme details saved.")
                outside = saved.sessions.exclude(
                    starts_at__date__gte=saved.start_date, starts_at__date__lte=saved.end_date
                )
                if outside.exists():
                    messages.warning(request, "Some timetable sessions fall outside the new dates: make it again.")
                return redirect("placements:programme_detail", pk=pk)
    context = {"form": form, "programme": programme, "cancelled": cancelled}
    return render(request, "placements/programme_form.html", context, status=status)


@coordinator_required
def programme_copy_choose(request):
    programmes = scoped(request.user, Programme).select_related("force").order_by("-start_date", "title")
    return render(request, "placements/programme_copy_choose.html", {"programmes": programmes})


@coordinator_required
def programme_copy(request, pk):
    source = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    dates = services.copy_dates(source)
    initial = {"title": services.copy_title(source, dates["start_date"]), **dates}
    form = ProgrammeCopyForm(request.POST or None, source=source, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                target, warnings = services.programme_copy(source=source, actor=request.user, **form.cleaned_data)
            except PlanningError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{target.title} created from {source.title}. Check its details below.")
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("placements:programme_detail", pk=target.pk)
    context = {"source": source, "form": form, "summary": selectors.programme_copy_summary(source=source)}
    return render(request, "placements/programme_copy.html", context, status=status)


@coordinator_required
def programme_cancel(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    finished = programme.end_date < timezone.localdate()
    can_cancel = programme.status != Programme.Status.CANCELLED and not finished
    status = 200
    if request.method == "POST":
        try:
            services.programme_cancel(programme=programme, actor=request.user)
        except PlanningError as error:
            messages.error(request, error.message)
            status = error.status
        else:
            messages.success(request, f"{programme.title} is cancelled. Remember to tell the schools yourself.")
            return redirect("placements:programme_detail", pk=pk)
    context = {
        "programme": programme,
        "can_cancel": can_cancel,
        "finished": finished,
        "effects": selectors.programme_cancel_effects(programme=programme),
    }
    return render(request, "placements/programme_cancel.html", context, status=status)


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
    # The activities of the current plan (not those filling free time), or for a first plan the force's
    # regular (non-contingency) ones.
    chosen = sorted({s.activity_id for s in sessions if s.replaces_id is None and not s.is_filler}) or list(
        Activity.objects.filter(force=programme.force_id, is_active=True, is_contingency=False).values_list(
            "pk", flat=True
        )
    )
    form = TimetableForm(programme=programme, initial={"activities": chosen})
    syndicates = list(programme.syndicates.order_by("name"))
    grid = selectors.week_grid(programme=programme, sessions=sessions, syndicates=syndicates)
    could_fill, idle = services.timetable_idle(programme=programme, sessions=sessions, syndicates=syndicates)
    selectors.attach_idle(grid, idle=idle, could_fill=could_fill, syndicates=syndicates)
    context = {
        "programme": programme,
        "grid": grid,
        "form": form,
        "syndicates": syndicates,
        "has_sessions": bool(sessions),
        "outcomes": selectors.timetabled_outcomes(programme=programme),
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
        plan = services.timetable_generate(
            programme=programme,
            activities=list(form.cleaned_data["activities"]),
            fill_idle=form.cleaned_data["fill_idle"],
            actor=request.user,
        )
    except PlanningError as error:
        messages.error(request, f"The timetable could not be made: {error}")
        return redirect("placements:timetable", pk=pk)
    filled = sum(1 for s in plan.sessions if s.filler)
    note = f", {filled} of them filling free time" if filled else ""
    messages.success(request, f"Timetable generated: {len(plan.sessions)} sessions{note}.")
    if plan.idle:
        messages.warning(request, "Some slots stay free for some syndicates: the timetable below says why.")
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
    funding_form = FundingForm(prefix="funding", initial=_funding_initial(programme))
    summary = selectors.budget_summary(programme=programme)
    used = {line.category for line in summary["lines"]}
    line_form = BudgetLineAddForm(prefix="line", used=used)
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "line":
                line_form = BudgetLineAddForm(request.POST, prefix="line", used=used)
                if line_form.is_valid():
                    services.budget_line_add(programme=programme, actor=request.user, **line_form.cleaned_data)
                    messages.success(request, "Budget line planned.")
                    return redirect("placements:budget", pk=pk)
            elif which == "funding":
                funding_form = FundingForm(request.POST, prefix="funding")
                if funding_form.is_valid():
                    services.programme_funding_set(programme=programme, actor=request.user, **funding_form.cleaned_data)
                    messages.success(request, "Sponsor and allocation saved.")
                    return redirect("placements:budget", pk=pk)
            elif which == "spend":
                spend_form = SpendEntryForm(request.POST, prefix="spend")
                if spend_form.is_valid():
                    data = spend_form.cleaned_data
                    try:
                        services.spend_entry_add(
                            programme=programme,
                            category=data["category"],
                            day=data["date"],
                            amount=data["amount"],
                            note=data["note"],
                            past_allocation_confirmed=data["past_allocation_confirmed"],
                            actor=request.user,
                        )
                    except services.OverAllocation as warning:
                        # Nothing recorded: the page asks first, with a button that sends the same spend again.
                        confirm_spend = {"message": warning.message, "data": data}
                        return render(
                            request,
                            "placements/budget.html",
                            _budget_context(programme, summary, spend_form, hours_form, funding_form, line_form, used)
                            | {"confirm_spend": confirm_spend},
                            status=warning.status,
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
            else:
                messages.error(request, "Choose what to save from one of the forms on this page.")
        except PlanningError as error:
            if which == "line":
                _apply_error(line_form, error)
            elif which == "funding":
                _apply_error(funding_form, error)
            else:
                messages.error(request, str(error))
        status = 400
    else:
        status = 200
    context = _budget_context(programme, summary, spend_form, hours_form, funding_form, line_form, used)
    return render(request, "placements/budget.html", context, status=status)


def _funding_initial(programme):
    return {
        "sponsor": programme.sponsor,
        "funding_source": programme.funding_source,
        "budget_allocated": programme.budget_allocated,
    }


def _budget_context(programme, summary, spend_form, hours_form, funding_form, line_form, used):
    return {
        "programme": programme,
        "summary": summary,
        "spend_form": spend_form,
        "hours_form": hours_form,
        "funding_form": funding_form,
        "line_form": line_form if len(used) < len(BudgetLine.Category.values) else None,
    }


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
        ("allocation", "", "", programme.sponsor, programme.budget_allocated, ""),
        ("cost per student", "", "", f"{summary['students']} students", "", summary["cost_per_student"]),
        (
            "cost per student who came",
            "",
            "",
            f"{summary['value']['attended']} students",
            "",
            summary["value"]["cost_per_attendee"],
        ),
        (
            "cost per student contact hour",
            "",
            "",
            f"{summary['value']['contact_hours']} hours",
            "",
            summary["value"]["cost_per_contact_hour"],
        ),
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
def budget_line_edit(request, pk, line_pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    line = get_object_or_404(programme.budget_lines, pk=line_pk)
    initial = {"description": line.description, "planned": line.planned}
    form = BudgetLineForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.budget_line_update(line=line, actor=request.user, **form.cleaned_data)
            except PlanningError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{line.get_category_display()} line saved.")
                return redirect("placements:budget", pk=pk)
    context = {"programme": programme, "line": line, "form": form}
    return render(request, "placements/budget_line_form.html", context, status=status)


@coordinator_required
def budget_line_delete(request, pk, line_pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    line = get_object_or_404(programme.budget_lines, pk=line_pk)
    status = 200
    if request.method == "POST":
        try:
            services.budget_line_delete(line=line, actor=request.user)
        except PlanningError as error:
            messages.error(request, error.message)
            status = error.status
        else:
            messages.success(request, f"{line.get_category_display()} line deleted.")
            return redirect("placements:budget", pk=pk)
    has_spend = line.actual > 0 or line.spend_entries.exists()
    context = {"programme": programme, "line": line, "has_spend": has_spend}
    return render(request, "placements/budget_line_delete.html", context, status=status)


@coordinator_required
def activities(request, pk):
    """The force's activity catalogue; its form records a time a department cannot deliver."""
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    form = UnavailabilityForm(request.POST or None, force=programme.force_id)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.department_unavailability_add(actor=request.user, **form.cleaned_data)
            except PlanningError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, "Unavailable time recorded: new timetables will avoid it.")
                return redirect("placements:activities", pk=pk)
    context = {"programme": programme, "form": form, **selectors.activity_catalogue(programme=programme)}
    return render(request, "placements/activities.html", context, status=status)


def _activity_page(request, programme, activity):
    form = ActivityForm(request.POST or None, instance=copy.copy(activity), force=programme.force_id)
    # A form without the outcome rows (an older page, a script) leaves the outcomes as they are.
    with_outcomes = request.method != "POST" or "outcomes-TOTAL_FORMS" in request.POST
    outcomes = outcome_formset(
        data=request.POST if request.method == "POST" and with_outcomes else None,
        outcomes=activity.outcomes.all() if activity.pk else (),
    )
    status = 200
    if request.method == "POST":
        status = 400
        # Both checked, so every mistake on the page shows at once.
        valid = form.is_valid() & (outcomes.is_valid() if with_outcomes else True)
        if valid:
            try:
                if activity.pk:
                    saved = services.activity_update(
                        activity=activity,
                        details=form.details(),
                        delivering_staff=form.cleaned_data["delivering_staff"],
                        outcomes=outcomes.outcomes() if with_outcomes else None,
                        actor=request.user,
                    )
                else:
                    saved = services.activity_create(
                        force=programme.force,
                        details=form.details(),
                        delivering_staff=form.cleaned_data["delivering_staff"],
                        outcomes=outcomes.outcomes() if with_outcomes else None,
                        actor=request.user,
                    )
            except PlanningError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{saved.title} saved in the catalogue.")
                return redirect("placements:activities", pk=programme.pk)
    context = {"programme": programme, "activity": activity, "form": form, "outcomes": outcomes}
    return render(request, "placements/activity_form.html", context, status=status)


@coordinator_required
def activity_create(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    return _activity_page(request, programme, Activity(force=programme.force))


@coordinator_required
def activity_edit(request, pk, activity_pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    activity = get_object_or_404(Activity.objects.filter(force=programme.force_id), pk=activity_pk)
    return _activity_page(request, programme, activity)


@require_POST
@coordinator_required
def activity_in_use(request, pk, activity_pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    activity = get_object_or_404(Activity.objects.filter(force=programme.force_id), pk=activity_pk)
    form = ActivityInUseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to retire the activity or bring it back.")
        return redirect("placements:activities", pk=pk)
    services.activity_set_in_use(activity=activity, in_use=form.cleaned_data["in_use"], actor=request.user)
    if form.cleaned_data["in_use"]:
        messages.success(request, f"{activity.title} is back in the catalogue.")
    else:
        messages.success(request, f"{activity.title} retired: new timetables leave it out. Past ones keep it.")
    return redirect("placements:activities", pk=pk)


@require_POST
@coordinator_required
def unavailability_remove(request, pk, unavailability_pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    row = get_object_or_404(
        DepartmentUnavailability.objects.filter(department__force=programme.force_id), pk=unavailability_pk
    )
    services.department_unavailability_remove(unavailability=row, actor=request.user)
    messages.success(request, f"{row.department}'s unavailable time removed.")
    return redirect("placements:activities", pk=pk)


@lead_required
def lead_home(request):
    """The syndicate lead's start page: their syndicates and today's sessions."""
    person_id = scope_for(request.user).person_id
    items = selectors.lead_syndicates(user=request.user, person_id=person_id)
    past = selectors.lead_past_syndicate_count(user=request.user, person_id=person_id)
    context = {"items": items, "past": past, "recent_days": selectors.LEAD_RECENT_DAYS}
    return render(request, "placements/lead_home.html", context)


# --- the force's people and departments ------------------------------------------------------------


def _person_queryset():
    return ForcePerson.objects.select_related("force", "department", "user")


@coordinator_required
def people(request):
    force = force_for_coordinator(request)
    check = selectors.vetting_check(force=force, today=timezone.localdate())
    filterset = PeopleFilter(request.GET or None, queryset=selectors.people_list(force=force), check=check)
    rows = list(filterset.qs)
    for person in rows:
        person.vetting_state = check.state(person.vetting_expires_on)
    context = {"force": force, "filter": filterset, "people": rows, "check": check}
    status = 400 if filterset.is_bound and not filterset.form.is_valid() else 200
    return render(request, "placements/people_list.html", context, status=status)


def _grants_coordinator(request, form, person=None):
    """True when the post gives the coordinator role and has not been confirmed yet."""
    was = person is not None and person.is_coordinator
    return form.cleaned_data.get("is_coordinator") and not was and request.POST.get("confirm_coordinator") != "yes"


def _coordinator_confirm(request, form, *, force, person=None):
    """The step before giving the coordinator role: what it opens, with the posted details carried over."""
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "confirm_coordinator")
        for value in values
    ]
    context = {"force": force, "person": person, "name": form.cleaned_data["name"], "carried": carried}
    return render(request, "placements/person_coordinator_confirm.html", context)


@coordinator_required
def person_create(request):
    force = force_for_coordinator(request)
    form = PersonForm(request.POST or None, instance=ForcePerson(force=force), force=force)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if _grants_coordinator(request, form):
                return _coordinator_confirm(request, form, force=force)
            try:
                person = services.force_person_create(force=force, details=form.details(), actor=request.user)
            except PlanningError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    f"{person.name} added."
                    + (" Next: invite them to sign in, if they need to." if person.email else ""),
                )
                return redirect("placements:person_edit", person_pk=person.pk)
    return render(request, "placements/person_form.html", {"form": form, "force": force}, status=status)


@coordinator_required
def person_edit(request, person_pk):
    person = get_for_coordinator(request.user, _person_queryset(), pk=person_pk)
    # The form works on a copy: a refused edit must not show half-changed details around the page.
    form = PersonForm(
        None if not person.is_active else (request.POST or None), instance=copy.copy(person), force=person.force
    )
    status = 200
    if request.method == "POST":
        status = 409 if not person.is_active else 400
        if not person.is_active:
            messages.error(request, f"{person.name} is deactivated: make them active again to change their details.")
        elif form.is_valid():
            if _grants_coordinator(request, form, person):
                return _coordinator_confirm(request, form, force=person.force, person=person)
            try:
                services.force_person_update(person=person, details=form.details(), actor=request.user)
            except PlanningError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{form.cleaned_data['name']}'s details saved.")
                return redirect("placements:people")
    context = {"form": form, "person": person, "force": person.force, **selectors.person_detail(person=person)}
    return render(request, "placements/person_form.html", context, status=status)


@coordinator_required
def person_deactivate(request, person_pk):
    person = get_for_coordinator(request.user, _person_queryset(), pk=person_pk)
    commitments = services.force_person_commitments(person=person)
    blocked = bool(commitments["syndicates"] or commitments["mentees"])
    is_self = person.user_id is not None and person.user_id == request.user.pk
    status = 200
    if request.method == "POST":
        try:
            services.force_person_deactivate(person=person, actor=request.user)
        except PlanningError as error:
            messages.error(request, error.message)
            status = error.status
        else:
            messages.success(request, f"{person.name} is deactivated. Their past records stay as they are.")
            return redirect("placements:people")
    context = {"person": person, "blocked": blocked, "is_self": is_self, **commitments}
    return render(request, "placements/person_deactivate.html", context, status=status)


@require_POST
@coordinator_required
def person_reactivate(request, person_pk):
    person = get_for_coordinator(request.user, _person_queryset(), pk=person_pk)
    services.force_person_reactivate(person=person, actor=request.user)
    messages.success(request, f"{person.name} is active again. Check their roles and vetting below.")
    return redirect("placements:person_edit", person_pk=person.pk)


@coordinator_required
def person_invite(request, person_pk):
    person = get_for_coordinator(request.user, _person_queryset(), pk=person_pk)
    status = 200
    if request.method == "POST":
        try:
            services.force_person_invitation_create(person=person, actor=request.user)
        except PlanningError as error:
            messages.error(request, error.message)
            status = error.status
        else:
            messages.success(request, f"Invitation sent to {person.email}. The link works once, for 7 days.")
            return redirect("placements:person_edit", person_pk=person.pk)
    subject, body = email_render(
        kind="person_invitation",
        context={
            "person": person,
            "force": person.force,
            "inviter": request.user.get_full_name() or request.user.username,
            "roles": services.person_roles_in_words(person),
            "link": "/join/…",
            "days": services.PERSON_INVITATION_DAYS,
            "two_factor": person.is_coordinator,
        },
    )
    context = {
        "person": person,
        "subject": subject,
        "body": body,
        "pending": selectors.person_detail(person=person)["invitation"],
        "can_invite": person.is_active and person.user_id is None and bool(person.email),
    }
    return render(request, "placements/person_invite.html", context, status=status)


@coordinator_required
def departments(request):
    force = force_for_coordinator(request)
    rows = selectors.department_list(force=force)
    return render(request, "placements/department_list.html", {"force": force, "departments": rows})


@coordinator_required
def department_create(request):
    force = force_for_coordinator(request)
    form = DepartmentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                department = services.department_create(force=force, actor=request.user, **form.cleaned_data)
            except PlanningError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{department.name} added.")
                return redirect("placements:departments")
    return render(request, "placements/department_form.html", {"form": form, "force": force}, status=status)


@coordinator_required
def department_edit(request, department_pk):
    department = get_for_coordinator(request.user, Department.objects.select_related("force"), pk=department_pk)
    form = DepartmentForm(request.POST or None, instance=copy.copy(department))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.department_update(department=department, actor=request.user, **form.cleaned_data)
            except PlanningError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{form.cleaned_data['name']} saved.")
                return redirect("placements:departments")
    context = {
        "form": form,
        "department": department,
        "force": department.force,
        "bookings": selectors.department_bookings(department=department),
    }
    return render(request, "placements/department_form.html", context, status=status)


# The emailed invitation to sign in: the flow of core.invitations, for a force person.


def _person_invited(invitation):
    person = invitation.person
    note = f"With this sign-in you can {services.person_roles_in_words(person)}."
    if person.is_coordinator:
        note += (
            " You will also set up a second sign-in step: an authenticator app on your phone gives a new "
            "six-digit code each time you sign in."
        )
    return Invited(
        role=f"{person.name} of",
        place=person.force.name,
        force=person.force,
        link_label=f"Use my account for {person.force.name}",
        welcome=f"Welcome. You can now sign in to {person.force.name}'s work-experience pages.",
        home="accounts:home",
        note=note,
    )


PERSON_INVITATION = InvitationKind(
    name="person-invitation",
    session_key="person_invitation_pk",
    accept_url="placements:person_invitation_accept",
    open=lambda token: services.force_person_invitation_open(token=token),
    find=lambda pk: services.force_person_invitation_find(pk=pk),
    has_account=lambda invitation: services.force_person_invitation_has_account(invitation=invitation),
    accept=services.force_person_invitation_accept,
    link=services.force_person_invitation_link,
    describe=_person_invited,
)

person_invitation_open = invitation_open_view(PERSON_INVITATION)
person_invitation_accept = invitation_accept_view(PERSON_INVITATION)
