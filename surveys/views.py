import contextlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import coordinator_required, force_for_coordinator, get_for_coordinator
from accounts.scoping import scope_for, scoped
from core import fragments
from core.clientip import client_ip
from core.languages import language_for_student, language_remember
from core.spreadsheets import csv_response, xlsx_response
from core.tokens import token_guard, token_rejected
from placements.models import Programme

from . import charts, explain, selectors, services, standard
from .forms import (
    AnswersForm,
    PaperSheetConfirmForm,
    PaperSheetForm,
    ShortCodeForm,
    SurveyWindowForm,
    field_name,
)
from .models import Invitation, Survey
from .pdf import qr_sheet_pdf
from .report import programme_report

SESSION_KEY = "survey_invitation"
EASY_KEY = "survey_easy_read"
LAYOUT_KEY = "survey_layout"
CODE_ATTEMPTS = 20
CODE_WINDOW = 15 * 60

PROBLEMS = {
    "unknown": (
        404,
        _("We do not recognise this link"),
        _("Check that you used the whole link, or type your survey code."),
    ),
    "answered": (
        410,
        _("This survey has already been answered"),
        _("Thank you: your answers are saved. Nothing more to do."),
    ),
    "closed": (410, _("This survey has closed"), _("It is too late to answer now. Thank you anyway.")),
    "withdrawn": (410, _("This survey is no longer needed"), _("There is nothing for you to answer.")),
    "not_open": (403, _("This survey is not open yet"), _("Please come back when your teacher tells you to.")),
    "too_many": (429, _("Too many tries"), _("Please wait fifteen minutes, or ask your teacher for help.")),
    "expired_session": (
        404,
        _("Please open your link again"),
        _("Use your link or type your survey code to carry on."),
    ),
}


# --- students (no account) ---------------------------------------------------------------------------


def _problem(request, kind):
    status, title, text = PROBLEMS[kind]
    return render(request, "surveys/student/problem.html", {"title": title, "text": text}, status=status)


def _enter(request, invitation):
    language_remember(request, language_for_student(invitation.placement.nomination))
    state = selectors.invitation_state(invitation)
    if state != "open":
        request.session.pop(SESSION_KEY, None)
        return _problem(request, state)
    request.session.cycle_key()
    request.session[SESSION_KEY] = invitation.pk
    return redirect("surveys:student_start")


def _current(request):
    """(invitation, None) for the survey held in the session, or (None, problem response)."""
    invitation = selectors.invitation_by_pk(request.session.get(SESSION_KEY))
    if invitation is None:
        return None, _problem(request, "expired_session")
    state = selectors.invitation_state(invitation)
    if state != "open":
        request.session.pop(SESSION_KEY, None)
        return None, _problem(request, state)
    return invitation, None


def _mode(request):
    return {"easy_read": bool(request.session.get(EASY_KEY)), "layout": request.session.get(LAYOUT_KEY, "one")}


@never_cache
@token_guard
def token_enter(request, token):
    """The link in the QR code or email: the token moves into the session, then a URL without it."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        token_rejected(request, kind="survey", token=token)
        return _problem(request, "unknown")
    return _enter(request, invitation)


@never_cache
def code_enter(request):
    form = ShortCodeForm(request.POST or None)
    if request.method == "POST":
        key = f"survey-code-attempts:{client_ip(request)}"
        if cache.get(key, 0) >= CODE_ATTEMPTS:
            return _problem(request, "too_many")
        if form.is_valid():
            # Count the attempt before looking it up (an atomic increment), so many guesses sent at
            # once cannot all pass the check above; a code that works gives its count back.
            cache.add(key, 0, CODE_WINDOW)
            try:
                attempts = cache.incr(key)
            except ValueError:  # the window ended between add and incr
                cache.set(key, attempts := 1, CODE_WINDOW)
            if attempts > CODE_ATTEMPTS:
                return _problem(request, "too_many")
            invitation = selectors.invitation_by_short_code(form.cleaned_data["code"])
            if invitation is not None:
                cache.decr(key)
                return _enter(request, invitation)
            token_rejected(request, kind="survey code", token=form.cleaned_data["code"])
            form.add_error("code", _("We could not find that code. Check the letters and numbers and try again."))
        status = 400
    else:
        status = 200
    return render(request, "surveys/student/code.html", {"form": form}, status=status)


@never_cache
def student_start(request):
    if not request.session.get(SESSION_KEY):
        return redirect("surveys:code_enter")
    invitation, problem = _current(request)
    if problem:
        return problem
    if request.method == "POST":
        request.session[EASY_KEY] = request.POST.get("easy_read") == "1"
        request.session[LAYOUT_KEY] = "all" if request.POST.get("layout") == "all" else "one"
        if request.session[LAYOUT_KEY] == "all":
            return redirect("surveys:student_all")
        questions = services.questions_for_invitation(invitation)
        first_gap = next((i for i, q in enumerate(questions, 1) if q.code not in invitation.draft), 1)
        return redirect("surveys:student_step", step=first_gap)
    questions = services.questions_for_invitation(invitation)
    return render(
        request,
        "surveys/student/start.html",
        {
            "invitation": invitation,
            "survey": invitation.survey,
            "total": len(questions),
            "answered_so_far": sum(1 for q in questions if q.code in invitation.draft),
            **_mode(request),
        },
    )


def _initial(invitation, questions):
    return {field_name(q): invitation.draft.get(q.code, "") for q in questions}


def _survey_page(request, invitation, questions, *, step=None, total=None):
    mode = _mode(request)
    going_back = request.method == "POST" and "back" in request.POST
    form = AnswersForm(
        request.POST if request.method == "POST" else None,
        initial=_initial(invitation, questions),
        questions=questions,
        easy_read=mode["easy_read"],
        enforce_required=not going_back,
    )
    return form, mode


@never_cache
def student_step(request, step):
    invitation, problem = _current(request)
    if problem:
        return problem
    questions = services.questions_for_invitation(invitation)
    if not 1 <= step <= len(questions):
        raise Http404("No such question.")
    question = questions[step - 1]
    form, mode = _survey_page(request, invitation, [question])
    if request.method == "POST":
        if "back" in request.POST:
            if form.is_valid():
                _save_draft(invitation, form)
            return redirect("surveys:student_step", step=step - 1) if step > 1 else redirect("surveys:student_start")
        if form.is_valid():
            _save_draft(invitation, form)
            if step < len(questions):
                return redirect("surveys:student_step", step=step + 1)
            return redirect("surveys:student_review")
    return render(
        request,
        "surveys/student/step.html",
        {
            "form": form,
            "question": question,
            "field": form[field_name(question)],
            "step": step,
            "total": len(questions),
            "percent": round((step - 1) * 100 / len(questions)),
            "survey": invitation.survey,
            **mode,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _save_draft(invitation, form):
    # The draft is a convenience: if it cannot be kept (answered meanwhile in another tab), the final
    # submission checks everything again and says so.
    with contextlib.suppress(ValueError, services.SurveyError):
        services.invitation_save_draft(invitation=invitation, answers=form.answers())


@never_cache
def student_all(request):
    invitation, problem = _current(request)
    if problem:
        return problem
    questions = services.questions_for_invitation(invitation)
    form, mode = _survey_page(request, invitation, questions)
    if request.method == "POST" and form.is_valid():
        _save_draft(invitation, form)
        return redirect("surveys:student_review")
    fields = [form[field_name(q)] for q in questions]
    return render(
        request,
        "surveys/student/all.html",
        {"form": form, "fields": fields, "survey": invitation.survey, "total": len(questions), **mode},
        status=400 if form.is_bound and form.errors else 200,
    )


@never_cache
def student_review(request):
    invitation, problem = _current(request)
    if problem:
        return problem
    questions = services.questions_for_invitation(invitation)
    mode = _mode(request)
    error = None
    if request.method == "POST":
        try:
            services.response_submit(invitation=invitation, answers=invitation.draft)
        except services.SurveyError as exc:
            error = str(exc)
        else:
            request.session.pop(SESSION_KEY, None)
            return redirect("surveys:student_done")
    rows = []
    for index, question in enumerate(questions, 1):
        form = AnswersForm(questions=[question], easy_read=mode["easy_read"])
        choices = (
            dict(form.fields[field_name(question)].choices)
            if hasattr(form.fields[field_name(question)], "choices")
            else {}
        )
        raw = invitation.draft.get(question.code, "")
        rows.append(
            {
                "step": index,
                "label": form.fields[field_name(question)].label,
                "answer": choices.get(raw, raw),
                "missing": question.required and not raw,
            }
        )
    return render(
        request,
        "surveys/student/review.html",
        {
            "rows": rows,
            "survey": invitation.survey,
            "missing": any(r["missing"] for r in rows),
            "error": error,
            "total": len(questions),
            **mode,
        },
        status=400 if error else 200,
    )


@never_cache
def student_done(request):
    return render(request, "surveys/student/done.html")


@require_POST
def student_mode(request):
    request.session[EASY_KEY] = request.POST.get("easy_read") == "1"
    if request.POST.get("layout") in ("one", "all"):
        request.session[LAYOUT_KEY] = request.POST["layout"]
    target = request.POST.get("next", "")
    if not target.startswith("/s/") or "//" in target:
        target = reverse("surveys:student_start")
    return redirect(target)


# --- coordinators ------------------------------------------------------------------------------------


def _survey_for_coordinator(request, pk):
    return get_for_coordinator(request.user, Survey.objects.select_related("programme__force"), pk=pk)


@coordinator_required
def programme_surveys(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    surveys = selectors.surveys_with_questions(programme)
    for survey in surveys:
        survey.window_form = SurveyWindowForm(instance=survey, prefix=f"s{survey.pk}")
        survey.outcomes_missing = services.outcome_questions_missing(survey) if survey.phase == "post" else []
        survey.outcome_activities = len({activity.pk for activity, _outcome in survey.outcomes_missing})
    return render(request, "surveys/programme_surveys.html", {"programme": programme, "surveys": surveys})


@coordinator_required
@require_POST
def programme_setup(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    try:
        surveys = services.survey_setup_programme(programme=programme, actor=request.user)
    except services.SurveyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Surveys ready: {len(surveys)} (before and after), with an invitation per student.")
    return redirect("surveys:programme_surveys", pk=programme.pk)


@coordinator_required
@require_POST
def survey_outcomes_add(request, pk):
    """Add a rating question for each learning outcome of the timetabled activities to the post survey."""
    survey = _survey_for_coordinator(request, pk)
    try:
        added = services.survey_outcome_questions_add(survey=survey, actor=request.user)
    except services.SurveyError as exc:
        messages.error(request, str(exc))
        return redirect("surveys:programme_surveys", pk=survey.programme_id)
    messages.success(
        request,
        f"{added} learning outcome question{'s' * (added != 1)} added. Each student is asked only about the "
        "activities their syndicate attended.",
    )
    return redirect("surveys:programme_surveys", pk=survey.programme_id)


@coordinator_required
@require_POST
def survey_window(request, pk):
    survey = _survey_for_coordinator(request, pk)
    form = SurveyWindowForm(request.POST, instance=survey, prefix=f"s{survey.pk}")
    if form.is_valid():
        services.survey_update_window(
            survey=survey,
            opens_at=form.cleaned_data["opens_at"],
            closes_at=form.cleaned_data["closes_at"],
            actor=request.user,
        )
        messages.success(request, f"Dates saved for “{survey.title}”.")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("surveys:programme_surveys", pk=survey.programme_id)


@coordinator_required
def survey_send_links(request, pk):
    """Shows which school contacts will be emailed which students' links, then sends on a POST."""
    survey = _survey_for_coordinator(request, pk)
    if request.method == "POST":
        sent = services.invitation_send_links(survey=survey, actor=request.user)
        if sent:
            messages.success(request, f"Survey links emailed to {sent} school contact{pluralize(sent)}.")
        else:
            messages.info(request, "Nobody was emailed: every school contact already has these links.")
        return redirect("surveys:programme_surveys", pk=survey.programme_id)
    plan = services.invitation_links_plan(survey=survey)
    context = {
        "survey": survey,
        "programme": survey.programme,
        "rows": plan,
        "to_email": sum(len(row.to_email) for row in plan),
        "without_contact": [row for row in plan if not row.contacts],
    }
    return render(request, "surveys/send_links_confirm.html", context)


@login_required
def survey_qr_sheet(request, pk):
    """Coordinators get every student's card; a school contact only their own students'."""
    invitations = (
        scoped(request.user, Invitation)
        .filter(survey_id=pk, answered_at__isnull=True, placement__status="confirmed")
        .select_related("survey__programme", "placement__nomination__institution")
        .order_by("placement__nomination__institution__name", "placement__nomination__last_name")
    )
    invitations = list(invitations)
    if not invitations:
        survey = scoped(request.user, Survey).filter(pk=pk).first()
        if survey is None:
            raise Http404("No survey found.")
    else:
        survey = invitations[0].survey
    pdf = qr_sheet_pdf(survey=survey, invitations=invitations)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="survey-{survey.phase}-qr-sheet.pdf"'
    return response


@coordinator_required
def survey_preview(request, pk):
    """The survey's first page as a student sees it; read-only: no invitation, nothing saved."""
    survey = _survey_for_coordinator(request, pk)
    return render(
        request,
        "surveys/preview_start.html",
        {
            "survey": survey,
            "programme": survey.programme,
            "total": survey.questions.count(),
            "easy_read": request.GET.get("easy") == "1",
        },
    )


@coordinator_required
def survey_preview_step(request, pk, step):
    """One question as a student sees it, in standard or easy-read words; its answers go nowhere."""
    survey = _survey_for_coordinator(request, pk)
    questions = list(survey.questions.all())
    if not 1 <= step <= len(questions):
        raise Http404("No such question.")
    question = questions[step - 1]
    easy_read = request.GET.get("easy") == "1"
    form = AnswersForm(questions=[question], easy_read=easy_read)
    return render(
        request,
        "surveys/preview_step.html",
        {
            "survey": survey,
            "programme": survey.programme,
            "question": question,
            "field": form[field_name(question)],
            "per_activity": standard.is_per_activity(question.code),
            "step": step,
            "total": len(questions),
            "easy_read": easy_read,
        },
    )


@coordinator_required
def survey_paper_sheet(request, pk, fmt):
    """The paper answer sheet to fill in: each student yet to answer, with the questions as columns."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown format.")
    survey = _survey_for_coordinator(request, pk)
    header, rows = selectors.paper_sheet(survey)
    when = "before" if survey.phase == Survey.Phase.PRE else "after"
    name = f"{slugify(survey.programme.title)}-paper-answers-{when}"
    if fmt == "xlsx":
        return xlsx_response(rows, header=header, filename=name, sheet="Answers")
    return csv_response(rows, header=header, filename=name)


def _names(names, limit=5):
    shown = ", ".join(names[:limit])
    return f"{shown} and {len(names) - limit} more" if len(names) > limit else shown


@coordinator_required
def programme_import(request, pk):
    """Paper answers: download the sheet, type them in, upload it, check whose answers will be saved, save."""
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    form = PaperSheetForm()
    context = {"programme": programme, "errors": [], "plan": None, "problem": ""}
    status = 200
    if request.method == "POST" and "sheet" in request.POST:
        confirm = PaperSheetConfirmForm(request.POST)
        if confirm.is_valid():
            try:
                plan = services.responses_import_sheet(
                    programme=programme, rows=confirm.cleaned_data["sheet"], actor=request.user
                )
            except services.SurveyError as exc:
                context.update(problem=str(exc), errors=exc.errors[:200])
            else:
                saved, names = len(plan.rows), _names([row.name for row in plan.rows])
                messages.success(request, f"Paper answers saved for {saved} student{pluralize(saved)}: {names}.")
                return redirect("surveys:programme_surveys", pk=programme.pk)
        else:
            context["problem"] = "The checked sheet could not be read back. Please upload it again."
        status = 400
    elif request.method == "POST":
        form = PaperSheetForm(request.POST, request.FILES)
        if form.is_valid():
            rows = form.cleaned_data["file"]
            try:
                context["plan"] = services.paper_sheet_check(programme=programme, rows=rows)
            except services.SurveyError as exc:
                context.update(problem=str(exc), errors=exc.errors[:200])
                status = 400
            else:
                context["confirm_form"] = PaperSheetConfirmForm(initial={"sheet": json.dumps(rows)})
        else:
            status = 400
    context["form"] = form
    context["surveys"] = selectors.programme_surveys_summary(programme)["surveys"]
    return render(request, "surveys/import.html", context, status=status)


@coordinator_required
def programme_report_page(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    report = programme_report(programme)
    wordings = selectors.question_wordings([programme])
    questions = explain.with_verdicts(report["questions"], wordings)
    split = report["police_first_choice_split"]
    first = {item["code"]: item for item in split["first_choice"]}
    rest = {item["code"]: item for item in split["not_first_choice"]}
    split_rows = [{"text": q["text"], "groups": [first.get(q["code"]), rest.get(q["code"])]} for q in questions]
    for activity in report["activities"]:
        if activity["title"] == activity["code"]:  # the activity has left the force's catalogue
            activity["title"] = wordings.get(activity["code"], "An activity no longer in the catalogue")
    # The figures, charts and tables are most of the page's time: kept rendered under a digest of the
    # figures (core.fragments).
    body = fragments.rendered(
        "surveys/_report_body.html",
        {
            "programme": programme,
            "report": report,
            "questions": questions,
            "split_rows": split_rows,
            "too_few": explain.TOO_FEW,
            "charts": charts.report_charts(report, wordings),
        },
    )
    return render(request, "surveys/report.html", {"programme": programme, "body": body})


@coordinator_required
def programme_report_json(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    return JsonResponse(programme_report(programme), json_dumps_params={"indent": 2})


@coordinator_required
def force_comparison(request):
    force = force_for_coordinator(request)
    comparison = selectors.force_comparison(force)
    wordings = selectors.question_wordings(comparison["programmes"])
    table = selectors.years_table(comparison, wordings)
    # The chart and table are most of the page's time and change only with the figures: kept rendered
    # under a digest of those figures (core.fragments).
    figure = (
        fragments.rendered(
            "surveys/_years_figure.html",
            {
                "programmes": comparison["programmes"],
                **table,
                "chart": charts.years_chart(comparison, wordings),
            },
        )
        if table["rows"]
        else ""
    )
    return render(request, "surveys/force.html", {"force": force, "rows": table["rows"], "figure": figure})


@coordinator_required
def force_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown format.")
    force = force_for_coordinator(request)
    programmes = selectors.force_programmes_with_surveys(force)
    rows = selectors.export_rows(programmes)
    name = f"{force.slug}-survey-responses"
    if fmt == "xlsx":
        return xlsx_response(rows, header=selectors.EXPORT_HEADER, filename=name, sheet="responses")
    return csv_response(rows, header=selectors.EXPORT_HEADER, filename=name)


@login_required
def contact_surveys(request):
    """A school contact's list of QR sheets for their own students."""
    if not scope_for(request.user).is_contact and not scope_for(request.user).is_coordinator:
        raise PermissionDenied
    surveys = (
        scoped(request.user, Invitation)
        .filter(answered_at__isnull=True)
        .values("survey_id", "survey__title", "survey__programme__title", "survey__closes_at")
        .distinct()
        .order_by("survey__programme__title", "survey__phase")
    )
    return render(request, "surveys/contact_surveys.html", {"surveys": list(surveys)})
