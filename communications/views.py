"""Joining instructions: the coordinator's edit, preview and send pages; calendar files; the family's page."""

from __future__ import annotations

import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.access import coordinator_required, get_for_coordinator
from accounts.scoping import get_for_user
from core.languages import language_for_student, language_remember
from core.services import email_render
from core.tokens import token_guard, token_rejected
from events.selectors import programme_ceremony
from placements.models import Department, Placement, Programme, Syndicate
from schools.models import Institution, InstitutionContact, Nomination

from . import calendars, selectors, services
from .forms import JoiningInstructionsForm, SendForm, StaffTellForm, TextConsentForm
from .models import JoiningInstructions, TextConsent
from .services import CommunicationsError

SESSION_KEY = "joining_link_id"
# What an emailed link reads as in a preview: the real one exists only in the email that is sent.
PREVIEW_LINK = "/joining/…"
CEREMONY_FORM_FIELDS = ("ceremony_date", "ceremony_starts", "ceremony_ends", "ceremony_venue")


def _programme(request, pk):
    return get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)


def _instructions(programme):
    return JoiningInstructions.objects.filter(programme=programme).first()


def _ics(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=calendars.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _problem(request, error: CommunicationsError, *, title: str, force=None):
    return render(
        request, "core/problem.html", {"title": title, "message": error.message, "force": force}, status=error.status
    )


# --- the coordinator ----------------------------------------------------------------------------------


@coordinator_required
def joining_edit(request, pk):
    programme = _programme(request, pk)
    instructions = _instructions(programme)
    initial = services.joining_defaults(programme) if instructions is None else None
    form = JoiningInstructionsForm(
        request.POST if request.method == "POST" else None,
        instance=instructions or JoiningInstructions(programme=programme),
        initial=initial,
    )
    ceremony_event = programme_ceremony(programme)
    if ceremony_event is not None:
        # The ceremony is an event now (the events app): it is changed on its own page, not here.
        for name in CEREMONY_FORM_FIELDS:
            form.fields.pop(name, None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if ceremony_event is not None:
                data = {name: value for name, value in data.items() if not name.startswith("ceremony_")}
            try:
                services.joining_instructions_save(
                    programme=programme,
                    data=data,
                    actor=request.user,
                    tell_changes=data.get("tell_changes", False),
                )
            except CommunicationsError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status
            else:
                messages.success(request, "Joining instructions saved. Check the preview, then send them.")
                return redirect("communications:joining_preview", pk=programme.pk)
    context = {
        "programme": programme,
        "form": form,
        "instructions": instructions,
        "is_new": instructions is None,
        "ceremony_event": ceremony_event,
    }
    return render(request, "communications/joining_edit.html", context, status=status)


def _example_placement(programme: Programme) -> Placement:
    """The first confirmed student, or a made-up one (never saved) while nobody has a place."""
    placement = selectors.confirmed_placements(programme).first()
    if placement is not None:
        return placement
    institution = Institution(force=programme.force, name="Example School")
    nomination = Nomination(
        programme=programme,
        institution=institution,
        first_name="Alex",
        last_name="Example",
        date_of_birth=date(programme.start_date.year - 15, 1, 1),
        guardian_name="Sam Example",
        guardian_email="guardian@example.invalid",
    )
    institution.active_contacts = [InstitutionContact(institution=institution, name="Robin Teacher")]
    return Placement(programme=programme, nomination=nomination)


def _email_body(html: str) -> str:
    """The inside of an email's <body>, to show on the page (our own template's output, already escaped)."""
    match = re.search(r"<body[^>]*>(.*)</body>", html, re.S)
    return mark_safe(match.group(1) if match else "")  # noqa: S308 - rendered by our template, values escaped


def _previews(programme: Programme, instructions: JoiningInstructions) -> list[dict]:
    placement = _example_placement(programme)
    nomination = placement.nomination
    contacts = getattr(nomination.institution, "active_contacts", None) or [InstitutionContact(name="School contact")]
    kinds = [
        ("To the parent or guardian", "joining_instructions", selectors.Recipient.GUARDIAN, nomination.guardian_name),
        (
            "To a student aged 18 or over",
            "joining_instructions",
            selectors.Recipient.ADULT_STUDENT,
            nomination.first_name,
        ),
        ("To the school contact", "joining_instructions", selectors.Recipient.SCHOOL, contacts[0].name),
        (
            "The reminder, the working day before",
            "joining_reminder",
            selectors.Recipient.GUARDIAN,
            nomination.guardian_name,
        ),
    ]
    base = {**selectors.email_context(placement=placement, instructions=instructions), "link": PREVIEW_LINK}
    previews = []
    for title, kind, recipient_kind, name in kinds:
        recipient = selectors.Recipient(placement, recipient_kind, "", name or "parent or guardian")
        context = {**base, "recipient": recipient}
        subject, text = email_render(kind=kind, context=context)
        html = render_to_string(f"emails/{kind}_body.html", {"site_url": "", **context})
        previews.append({"title": title, "subject": subject, "text": text, "html": _email_body(html)})
    return previews


@coordinator_required
def joining_preview(request, pk):
    programme = _programme(request, pk)
    instructions = _instructions(programme)
    context = {
        "programme": programme,
        "instructions": instructions,
        "previews": _previews(programme, instructions) if instructions else [],
        "summary": selectors.joining_summary(programme=programme),
        "departments": Department.objects.filter(activities__sessions__programme=programme).distinct().order_by("name"),
        "syndicates": programme.syndicates.select_related("lead").order_by("name"),
        "send_by": services.send_by(programme),
        "sent": selectors.sent_summary(programme=programme),
    }
    return render(request, "communications/joining_preview.html", context)


@coordinator_required
def joining_send(request, pk):
    programme = _programme(request, pk)
    instructions = _instructions(programme)
    form = SendForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                sent = services.joining_instructions_send(programme=programme, actor=request.user)
            except CommunicationsError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                if sent:
                    messages.success(request, f"Sending {sent} email{'s' if sent != 1 else ''} now.")
                else:
                    messages.info(request, "Everyone has had the joining instructions already: nothing new to send.")
                return redirect("communications:joining_preview", pk=programme.pk)
    context = {
        "programme": programme,
        "instructions": instructions,
        "form": form,
        "summary": selectors.joining_summary(programme=programme),
    }
    return render(request, "communications/joining_send.html", context, status=status)


def _staff_previews(programme: Programme, status: dict) -> list[dict]:
    """One lead's and one department's email, as each will arrive (the first of each)."""
    instructions = _instructions(programme)
    previews = []
    for group, kind, title in (
        ("leads", "lead_briefing", "To a syndicate lead"),
        ("departments", "department_briefing", "To a department's contact"),
    ):
        if not status[group]:
            continue
        brief = status[group][0]["brief"]
        context = {
            **services._brief_context(programme, brief, instructions),
            "updated": status[group][0]["state"] == "changed",
        }
        subject, text = email_render(kind=kind, context=context)
        html = render_to_string(f"emails/{kind}_body.html", {"site_url": "", **context})
        previews.append({"title": title, "subject": subject, "text": text, "html": _email_body(html)})
    return previews


@coordinator_required
def staff_tell(request, pk):
    """Tell leads and departments: who will be emailed, one of each email, and the send."""
    programme = _programme(request, pk)
    form = StaffTellForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                counts = services.staff_tell(programme=programme, actor=request.user)
            except CommunicationsError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                total = counts["leads"] + counts["departments"]
                if total:
                    messages.success(
                        request,
                        f"Sending {counts['leads']} email{'s' if counts['leads'] != 1 else ''} to leads and "
                        f"{counts['departments']} to departments now.",
                    )
                else:
                    messages.info(request, "Every lead and department has the latest already: nothing new to send.")
                return redirect("communications:staff_tell", pk=programme.pk)
    people = selectors.staff_status(programme=programme)
    context = {
        "programme": programme,
        "form": form,
        "people": people,
        "missing": selectors.staff_missing(programme=programme),
        "to_send": sum(1 for group in people.values() for item in group if item["state"] != "told"),
        "previews": _staff_previews(programme, people),
    }
    return render(request, "communications/staff_tell.html", context, status=status)


@coordinator_required
def department_calendar(request, pk, department_pk):
    programme = _programme(request, pk)
    department = get_object_or_404(Department.objects.filter(force=programme.force_id), pk=department_pk)
    data = calendars.department_calendar(programme, department)
    return _ics(data, calendars.calendar_filename(programme, department.name))


@login_required
def syndicate_calendar(request, syndicate_pk):
    """The syndicate's sessions: for its lead, and the programme's coordinators (404 to anyone else)."""
    syndicate = get_for_user(request.user, Syndicate.objects.select_related("programme__force"), pk=syndicate_pk)
    data = calendars.syndicate_calendar(syndicate)
    return _ics(data, calendars.calendar_filename(syndicate.programme, syndicate.name))


# --- the family's page, without an account ------------------------------------------------------------


@token_guard
def joining_open(request, token):
    """First visit: keep which link was opened (its pk, never the token) and redirect to a URL without it."""
    try:
        link = services.joining_link_find(token=token)
    except CommunicationsError as error:
        if error.status == 404:
            token_rejected(request, kind="joining", token=token)
        return _problem(request, error, title="This link does not work")
    request.session.cycle_key()
    request.session[SESSION_KEY] = link.pk
    language_remember(request, language_for_student(link.placement.nomination))
    return redirect("joining:page")


def _link(request):
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        raise CommunicationsError(
            "Open the link from your email again: this page only works straight after following it.", status=404
        )
    return services.joining_link_find(pk=pk)


def _linked_placement(request):
    """(the placement of the link opened in this session, None), or (None, the page saying why it does not work)."""
    try:
        link = _link(request)
    except CommunicationsError as error:
        if error.status == 404:
            token_rejected(request, kind="joining")
        return None, _problem(request, error, title="This link does not work")
    return link.placement, None


@token_guard
def joining_page(request):
    placement, problem = _linked_placement(request)
    if problem is not None:
        return problem
    instructions = _instructions(placement.programme)
    if instructions is None:
        error = CommunicationsError("The joining instructions are being written. Please try again later.", status=404)
        return _problem(request, error, title="Not ready yet", force=placement.programme.force)
    context = selectors.email_context(placement=placement, instructions=instructions)
    context["today"] = timezone.localdate()
    context.update(_texts_context(placement))
    return render(request, "communications/joining_page.html", context)


def _text_choices(placement: Placement) -> list[tuple[str, str]]:
    nomination = placement.nomination
    if nomination.is_adult:
        return [(TextConsent.Who.STUDENT, _("Mine"))]
    choices = [(TextConsent.Who.GUARDIAN, _("Mine (the parent or guardian)"))]
    if nomination.age_on(placement.programme.start_date) >= services.MIN_TEXT_AGE:
        choices.append((TextConsent.Who.STUDENT, _("%(name)s's own phone") % {"name": nomination.first_name}))
    return choices


def _texts_context(placement: Placement, form: TextConsentForm | None = None) -> dict:
    from core.sms import phone_display

    current = list(TextConsent.objects.filter(placement=placement, withdrawn_at__isnull=True).order_by("who"))
    for consent in current:
        consent.shown = phone_display(consent.phone)
    form = form or TextConsentForm(choices=_text_choices(placement), wording=TextConsent.WORDING)
    # The reminder goes the working day before the week: once the week has begun there is nothing to agree to.
    texts_open = timezone.localdate() < placement.programme.start_date
    return {"text_consents": current, "text_form": form, "texts_open": texts_open}


@token_guard
def joining_texts(request):
    """The family agrees to a text reminder at a mobile number (POST only), or stops one."""
    placement, problem = _linked_placement(request)
    if problem is not None:
        return problem
    if request.method != "POST":
        return redirect("joining:page")
    stop = request.POST.get("stop")
    if stop is not None:
        try:
            services.text_consent_withdraw(placement=placement, pk=int(stop) if stop.isdigit() else 0)
        except CommunicationsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Text reminders stopped: that number will not be texted."))
        return redirect("joining:page")
    if timezone.localdate() >= placement.programme.start_date:
        messages.error(request, _("The week has begun, so there is no reminder left to text."))
        return redirect("joining:page")
    form = TextConsentForm(request.POST, choices=_text_choices(placement), wording=TextConsent.WORDING)
    if form.is_valid():
        try:
            services.text_consent_give(
                placement=placement, who=form.cleaned_data["who"], phone=form.cleaned_data["phone"]
            )
        except CommunicationsError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Thank you: a reminder will be texted the working day before the week."))
            return redirect("joining:page")
    instructions = _instructions(placement.programme)
    if instructions is None:
        return redirect("joining:page")
    context = selectors.email_context(placement=placement, instructions=instructions)
    context["today"] = timezone.localdate()
    context.update(_texts_context(placement, form))
    return render(request, "communications/joining_page.html", context, status=400)


@token_guard
def joining_calendar(request):
    placement, problem = _linked_placement(request)
    if problem is not None:
        return problem
    return _ics(calendars.student_calendar(placement), calendars.calendar_filename(placement.programme))
