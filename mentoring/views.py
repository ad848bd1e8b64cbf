from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import coordinator_required, force_for_coordinator, get_for_coordinator, mentor_required
from accounts.scoping import get_for_user, scope_for
from core import fragments
from placements.models import Force, Placement, Programme

from . import selectors, services
from .forms import AssignMentorForm, MentorContactForm, MentoringSettingsForm, OutcomeForm
from .models import MentorAssignment


def _assignments():
    return MentorAssignment.objects.select_related(
        "mentor", "placement__nomination__institution", "placement__programme__force"
    )


def _get_assignment(request, pk):
    """An assignment the user may see (their own mentee, or their force's as coordinator), or 404."""
    return get_for_user(request.user, _assignments(), pk=pk)


def _coordinates(request, assignment):
    return scope_for(request.user).coordinates(assignment.placement.programme.force_id)


def _get_placement_for_coordinator(request, pk):
    return get_for_coordinator(request.user, Placement.objects.select_related("programme__force", "nomination"), pk=pk)


@coordinator_required
def programme_mentoring(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    rows = selectors.programme_mentoring(programme=programme)
    context = {"programme": programme, "rows": rows, "today": timezone.localdate()}
    return render(request, "mentoring/programme.html", context)


@require_POST
@coordinator_required
def referral_create(request, placement_pk):
    placement = _get_placement_for_coordinator(request, placement_pk)
    services.mentoring_referral_create(placement=placement, actor=request.user)
    messages.success(request, f"{placement.nomination.full_name} has been put forward for a mentor.")
    return redirect("mentoring:programme", pk=placement.programme_id)


@coordinator_required
def assign(request, placement_pk):
    placement = _get_placement_for_coordinator(request, placement_pk)
    eligibility = selectors.placement_eligibility(placement=placement)
    mentors, suggestion, maximum = selectors.mentor_options(force=placement.programme.force)
    form = AssignMentorForm(request.POST or None, mentors=mentors, maximum=maximum, suggestion=suggestion)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.mentor_assignment_create(
                    placement=placement, mentor=form.cleaned_data["mentor"], actor=request.user
                )
            except services.MentoringError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"{form.cleaned_data['mentor'].name} is now mentoring {placement.nomination.full_name}. "
                    "Introduction emails are on their way.",
                )
                return redirect("mentoring:programme", pk=placement.programme_id)
        status = 400
    context = {
        "placement": placement,
        "programme": placement.programme,
        "eligibility": eligibility,
        "mentors": mentors,
        "suggestion": suggestion,
        "maximum": maximum,
        "form": form,
        "has_active": placement.mentor_assignments.active().exists(),
    }
    return render(request, "mentoring/assign.html", context, status=status)


@coordinator_required
def placement_outcomes(request, placement_pk):
    """A coordinator records milestones for any student of the force, mentored or not, over the years."""
    placement = _get_placement_for_coordinator(request, placement_pk)
    form = OutcomeForm(request.POST or None, placement=placement)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.outcome_record(placement=placement, actor=request.user, **form.cleaned_data)
            except services.MentoringError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Milestone recorded.")
                return redirect("mentoring:placement_outcomes", placement_pk=placement.pk)
        status = 400
    context = {
        "placement": placement,
        "programme": placement.programme,
        "outcomes": placement.outcomes.select_related("recorded_by"),
        "assignments": placement.mentor_assignments.select_related("mentor").order_by("-starts_on"),
        "form": form,
    }
    return render(request, "mentoring/placement_outcomes.html", context, status=status)


def _detail(request, assignment, *, contact_form=None, outcome_form=None, status=200):
    is_coordinator = _coordinates(request, assignment)
    is_mentor = scope_for(request.user).person_id == assignment.mentor_id
    placement = assignment.placement
    active = assignment.status == MentorAssignment.Status.ACTIVE
    today = timezone.localdate()
    context = {
        "assignment": assignment,
        "placement": placement,
        "nomination": placement.nomination,
        "contact_email": services.mentee_contact_email(nomination=placement.nomination, on=today),
        "under_18": placement.nomination.age_on(today) < 18,
        "contacts": assignment.contacts.select_related("logged_by"),
        "outcomes": placement.outcomes.all(),
        "reminders": assignment.reminders.order_by("-due_on", "pk")[:12] if is_coordinator else [],
        "is_coordinator": is_coordinator,
        "is_mentor": is_mentor,
        "can_log": active and (is_mentor or is_coordinator),
        "contact_form": contact_form or MentorContactForm(assignment=assignment),
        "outcome_form": outcome_form or OutcomeForm(placement=placement),
        "days_overdue": (today - assignment.next_due_on).days if active and assignment.next_due_on else None,
    }
    return render(request, "mentoring/assignment_detail.html", context, status=status)


@login_required
def assignment_detail(request, pk):
    return _detail(request, _get_assignment(request, pk))


@require_POST
@login_required
def contact_create(request, pk):
    assignment = _get_assignment(request, pk)
    form = MentorContactForm(request.POST, assignment=assignment)
    if form.is_valid():
        try:
            services.mentor_contact_log(assignment=assignment, actor=request.user, **form.cleaned_data)
        except services.MentoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Contact logged. The next contact date has moved on.")
            return redirect("mentoring:assignment", pk=assignment.pk)
    return _detail(request, assignment, contact_form=form, status=400)


@require_POST
@login_required
def outcome_create(request, pk):
    assignment = _get_assignment(request, pk)
    form = OutcomeForm(request.POST, placement=assignment.placement)
    if form.is_valid():
        try:
            services.outcome_record(placement=assignment.placement, actor=request.user, **form.cleaned_data)
        except services.MentoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Milestone recorded.")
            return redirect("mentoring:assignment", pk=assignment.pk)
    return _detail(request, assignment, outcome_form=form, status=400)


@require_POST
@login_required
def assignment_end(request, pk):
    assignment = get_for_coordinator(request.user, _assignments(), pk=pk)
    try:
        services.mentor_assignment_end(assignment=assignment, actor=request.user)
    except services.MentoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Mentoring ended.")
    return redirect("mentoring:assignment", pk=assignment.pk)


def _dashboard(request, force, *, settings_form=None, status=200):
    data = selectors.accountability(force=force)
    programmes = selectors.pipeline(force=force)
    settings = selectors.mentoring_settings_for(force)
    context = {
        "force": force,
        "mentors": data["mentors"],
        "programmes": data["programmes"],
        "pipeline": programmes,
        # The pipeline's two charts and table change only with its figures: kept rendered (core.fragments).
        "pipeline_figure": fragments.rendered(
            "mentoring/_pipeline.html",
            {
                "pipeline": programmes,
                "chart": selectors.pipeline_chart(programmes),
                "chart_narrow": selectors.pipeline_chart(programmes, width=370, label_width=185),
                "stages": selectors.PIPELINE_STAGES,
                "other_outcomes": selectors.OTHER_OUTCOMES,
            },
        )
        if programmes
        else "",
        "settings": settings,
        "settings_form": settings_form or MentoringSettingsForm(instance=settings),
        "today": timezone.localdate(),
        "other_forces": [] if scope_for(request.user).is_coordinator else Force.objects.exclude(pk=force.pk),
    }
    return render(request, "mentoring/dashboard.html", context, status=status)


@coordinator_required
def dashboard(request):
    return _dashboard(request, force_for_coordinator(request))


@require_POST
@coordinator_required
def settings_update(request):
    """The force's mentoring settings, from the small form on the dashboard."""
    force = force_for_coordinator(request)
    form = MentoringSettingsForm(request.POST, instance=selectors.mentoring_settings_for(force))
    if form.is_valid():
        try:
            services.mentoring_settings_update(force=force, actor=request.user, **form.cleaned_data)
        except services.MentoringError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return _dashboard(request, force, settings_form=form, status=error.status)
        messages.success(request, "Mentoring settings saved.")
        return redirect(f"{reverse('mentoring:dashboard')}#settings-heading")
    return _dashboard(request, force, settings_form=form, status=400)


@mentor_required
def mentor_home(request):
    """The mentor's due list: their own active mentees, soonest due first."""
    active, ended = selectors.mentor_due_list(user=request.user)
    overdue_count = sum(1 for a in active if a.days_overdue is not None and a.days_overdue > 0)
    return render(
        request, "mentoring/mentor_home.html", {"active": active, "ended": ended, "overdue_count": overdue_count}
    )
