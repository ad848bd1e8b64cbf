"""Events: the coordinator's pages (plan, invite, follow replies, remind, door list) and the invitee's reply page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import coordinator_required, force_for_coordinator, get_for_coordinator
from core.languages import language_remember
from core.tokens import token_guard, token_rejected

from . import calendars, documents, selectors, services
from .forms import ConfirmForm, EventForm, InviteCommunityForm, InviteGroupsForm, ReminderForm, ReplyForm
from .models import Event, Invitation
from .services import EventsError

SESSION_KEY = "event_reply"


def _event(request, pk):
    return get_for_coordinator(request.user, Event.objects.select_related("force", "programme"), pk=pk)


def _invitation(request, pk):
    return get_for_coordinator(request.user, Invitation.objects.select_related("event__force"), pk=pk)


def _ics(event: Event) -> HttpResponse:
    response = HttpResponse(calendars.event_calendar(event), content_type=calendars.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{calendars.calendar_filename(event)}"'
    return response


def _problem(request, error: EventsError, *, title: str, force=None):
    return render(
        request, "core/problem.html", {"title": title, "message": error.message, "force": force}, status=error.status
    )


def _form_error(form, error: EventsError) -> int:
    form.add_error(error.field if error.field in form.fields else None, error.message)
    return error.status


# --- the coordinator ----------------------------------------------------------------------------------


@coordinator_required
def event_list(request):
    force = force_for_coordinator(request)
    today = timezone.now()
    events = list(selectors.events_for_force(force))
    context = {
        "force": force,
        "upcoming": [e for e in events if e.ends_at > today][::-1],
        "past": [e for e in events if e.ends_at <= today],
    }
    return render(request, "events/event_list.html", context)


def _save(request, form, *, force, event=None):
    if not form.is_valid():
        return None, 400
    try:
        saved = services.event_save(force=force, event=event, data=form.cleaned_data, actor=request.user)
    except EventsError as error:
        return None, _form_error(form, error)
    return saved, 200


@coordinator_required
def event_create(request):
    force = force_for_coordinator(request)
    initial = {"kind": request.GET.get("kind") or Event.Kind.INFORMATION, "guests_allowed": 2}
    programme_id = request.GET.get("programme")
    if programme_id and programme_id.isdigit():
        initial["programme"] = int(programme_id)
    form = EventForm(request.POST if request.method == "POST" else None, force=force, initial=initial)
    status = 200
    if request.method == "POST":
        event, status = _save(request, form, force=force)
        if event is not None:
            messages.success(request, "Event saved. Now invite people to it.")
            return redirect("events:invite", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "force": force, "event": None}, status=status)


@coordinator_required
def event_edit(request, pk):
    event = _event(request, pk)
    form = EventForm(request.POST if request.method == "POST" else None, instance=event, force=event.force)
    status = 200
    if request.method == "POST":
        saved, status = _save(request, form, force=event.force, event=event)
        if saved is not None:
            if saved.sequence != event.sequence:
                messages.success(
                    request, "Event changed. Everyone invited who has not said no is emailed the new details."
                )
            else:
                messages.success(request, "Event saved.")
            return redirect("events:detail", pk=event.pk)
    return render(
        request, "events/event_form.html", {"form": form, "force": event.force, "event": event}, status=status
    )


@coordinator_required
def event_detail(request, pk):
    event = _event(request, pk)
    found = selectors.counts(event)
    rows = selectors.replies(event)
    context = {
        "event": event,
        "counts": found,
        "words": selectors.counts_in_words(event, found),
        "rows": rows,
        "waiting_with_email": sum(
            1 for r in rows if not r["invitation"].answer and r["invitation"].invited_at and r["invitee"].email
        ),
        "reminder_form": ReminderForm(initial={"round": event.reminder_rounds + 1}),
        "replies_open": event.replies_open(),
        "reminder_days": selectors.REMINDER_DAYS_BEFORE,
    }
    return render(request, "events/event_detail.html", context)


@coordinator_required
def event_invite(request, pk):
    event = _event(request, pk)
    post = request.POST if request.method == "POST" else None
    action = post.get("action") if post else None
    groups = InviteGroupsForm(post if action == "groups" else None)
    person = InviteCommunityForm(post if action == "community" else None)
    status = 400 if post else 200
    form = groups if action == "groups" else person if action == "community" else None
    if form is not None and form.is_valid():
        try:
            if form is groups:
                result = services.invitations_add(event=event, kinds=form.cleaned_data["kinds"], actor=request.user)
            else:
                data = form.cleaned_data
                result = services.invitations_add(
                    event=event, community=[(data["name"], data["email"])], actor=request.user
                )
        except EventsError as error:
            status = _form_error(form, error)
        else:
            _invited_message(request, result)
            return redirect("events:detail" if form is groups else "events:invite", pk=event.pk)
    elif post and form is None:
        groups.is_bound = True
        groups.add_error(None, "Choose who to invite.")
    context = {"event": event, "groups": groups, "person": person, "counts": selectors.counts(event)}
    return render(request, "events/event_invite.html", context, status=status)


def _invited_message(request, result):
    invited, emailed, without = result["invited"], result["emailed"], result["no_email"]
    if not invited:
        messages.info(request, "Everyone you chose is already invited: nobody new to invite.")
        return
    people = "person" if invited == 1 else "people"
    text = f"Invited {invited} {people}; {emailed} {'email is' if emailed == 1 else 'emails are'} on the way."
    if without:
        text += f" {without} {'has' if without == 1 else 'have'} no email address: ask them in person."
    messages.success(request, text)


@coordinator_required
@require_POST
def event_remind(request, pk):
    event = _event(request, pk)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Open the event's page again and use its reminder button.")
        return redirect("events:detail", pk=event.pk)
    try:
        sent = services.reminders_send(event=event, round_number=form.cleaned_data["round"], actor=request.user)
    except EventsError as error:
        messages.error(request, error.message)
        return redirect("events:detail", pk=event.pk)
    messages.success(
        request,
        f"Reminder sent to {sent} {'person' if sent == 1 else 'people'}."
        if sent
        else "Everyone has replied: no reminder needed.",
    )
    return redirect("events:detail", pk=event.pk)


@coordinator_required
def event_door_list(request, pk):
    event = _event(request, pk)
    response = HttpResponse(documents.door_list_pdf(event), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="door-list-{calendars.calendar_filename(event)[:-4]}.pdf"'
    return response


@coordinator_required
def event_calendar(request, pk):
    return _ics(_event(request, pk))


@coordinator_required
def event_delete(request, pk):
    event = _event(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.event_delete(event=event, actor=request.user)
            except EventsError as error:
                status = _form_error(form, error)
            else:
                messages.success(request, "Event deleted.")
                return redirect("events:list")
    return render(request, "events/event_delete.html", {"event": event, "form": form}, status=status)


@coordinator_required
@require_POST
def invitation_new_link(request, pk):
    invitation = _invitation(request, pk)
    try:
        sent = services.invitation_new_link(invitation=invitation, actor=request.user)
    except EventsError as error:
        messages.error(request, error.message)
    else:
        if sent:
            messages.success(request, "A new link is on its way; the old one no longer works.")
        else:
            messages.warning(
                request, "The old link no longer works, but there is no email address to send a new one to."
            )
    return redirect("events:detail", pk=invitation.event_id)


@coordinator_required
@require_POST
def invitation_remove(request, pk):
    invitation = _invitation(request, pk)
    services.invitation_remove(invitation=invitation, actor=request.user)
    messages.success(request, "Taken off the list; their link no longer works.")
    return redirect("events:detail", pk=invitation.event_id)


# --- the invitee, without an account ------------------------------------------------------------------


@token_guard
def reply_open(request, token):
    """First visit: keep which invitation was opened (its pk and link version, never the token), then redirect
    to a URL without the token."""
    try:
        invitation = services.invitation_find(token=token)
    except EventsError as error:
        if error.status == 404:
            token_rejected(request, kind="event-reply", token=token)
        return _problem(request, error, title=_("This link does not work"))
    request.session.cycle_key()
    request.session[SESSION_KEY] = [invitation.pk, invitation.link_version]
    language_remember(request, selectors.invitee_language(invitation))
    return redirect("event_reply:page")


def _linked(request):
    """(the invitation opened in this session, None), or (None, the page saying why it does not work)."""
    held = request.session.get(SESSION_KEY)
    try:
        if not held:
            raise EventsError(
                _("Open the link from your email again: this page only works straight after following it."),
                status=404,
            )
        invitation = services.invitation_find(pk=held[0], version=held[1])
    except EventsError as error:
        if error.status == 404:
            token_rejected(request, kind="event-reply")
        return None, _problem(request, error, title=_("This link does not work"))
    return invitation, None


@token_guard
def reply_page(request):
    invitation, problem = _linked(request)
    if problem is not None:
        return problem
    event = invitation.event
    person = selectors.invitee(invitation)
    is_open = event.replies_open()
    initial = {}
    if invitation.answer:
        initial = {"coming": "yes" if invitation.answer == Invitation.Answer.YES else "no", "guests": invitation.guests}
    form = ReplyForm(
        request.POST if request.method == "POST" and is_open else None,
        guests_allowed=event.guests_allowed,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if not is_open:
            form.is_bound = True
            form.add_error(None, _("Replies have closed. To change your reply, contact the organisers."))
            status = 409
        elif form.is_valid():
            try:
                services.invitation_reply(
                    invitation=invitation, coming=form.cleaned_data["coming"], guests=form.cleaned_data["guests"]
                )
            except EventsError as error:
                status = _form_error(form, error)
            else:
                messages.success(request, _("Thank you: your reply is saved."))
                return redirect("event_reply:page")
    context = {
        "event": event,
        "force": event.force,
        "invitation": invitation,
        "invitee": person,
        "student": invitation.placement.nomination if invitation.kind == Invitation.Kind.STUDENT else None,
        "starts_at": timezone.localtime(event.starts_at),
        "ends_at": timezone.localtime(event.ends_at),
        "form": form,
        "is_open": is_open,
        "places_left": selectors.counts(event)["places_left"],
    }
    return render(request, "events/reply_page.html", context, status=status)


@token_guard
def reply_calendar(request):
    invitation, problem = _linked(request)
    if problem is not None:
        return problem
    return _ics(invitation.event)
