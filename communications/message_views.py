"""Messages to a chosen audience: write (or pick a template), preview one per kind of recipient, send; the
sent list with each message's delivery; the force's saved templates."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import coordinator_required, force_for_coordinator, get_for_coordinator
from core.links import MARKER
from core.models import OutboundEmail
from core.services import email_render

from . import messages
from .audiences import AUDIENCES, audience_reach
from .message_forms import ComposeForm, DeleteTemplateForm
from .models import AudienceMessage, MessageRecipient, MessageTemplate
from .services import CommunicationsError
from .views import _email_body

MESSAGES_PAGE_SIZE = 25
RECIPIENTS_PAGE_SIZE = 100
# What a link with a token reads as in a preview: the real one exists only in the email that is sent.
PREVIEW_LINK = "/s/…"


def _force_query(request, force) -> str:
    """?force=<slug> for an admin (who has no force of their own), so links keep the force they chose."""
    return f"?force={force.slug}" if request.GET.get("force") else ""


def _initial(request, force) -> dict:
    """What the compose form starts with: a built-in or saved template, an audience, a programme."""
    initial = {}
    key = request.GET.get("template", "")
    if key.startswith("saved-") and key[6:].isdigit():
        template = MessageTemplate.objects.filter(force=force, pk=int(key[6:])).first()
        if template is not None:
            initial |= {"subject": template.subject, "body": template.body}
    elif (template := messages.built_in(key)) is not None:
        initial |= {"subject": template.subject, "body": template.body, "audience": template.audience}
    if request.GET.get("audience") in AUDIENCES:
        initial["audience"] = request.GET["audience"]
    programme = request.GET.get("programme", "")
    if programme.isdigit():
        initial["programme"] = int(programme)
    return initial


def _previews(*, audience, reach, subject, body, force, programme) -> list[dict]:
    """The email as each kind of recipient will get it, for the first person of that kind."""
    previews = []
    for kind_words, person, count in messages.message_reach_preview(reach):
        values = messages.values_for(person.values, force=force, programme=programme)
        context = messages.email_context(subject=subject, body=body, values=values, force=force, programme=programme)
        subject_line, text = email_render(kind="audience_message", context=context)
        html = render_to_string("emails/audience_message_body.html", {**context, "site_url": ""})
        previews.append(
            {
                "title": kind_words,
                "count": count,
                "example": person.name,
                "subject": subject_line,
                "text": MARKER.sub(PREVIEW_LINK, text),
                "html": _email_body(MARKER.sub(PREVIEW_LINK, html)),
            }
        )
    return previews


@coordinator_required
def message_new(request):
    force = force_for_coordinator(request)
    action = request.POST.get("action", "preview") if request.method == "POST" else None
    form = ComposeForm(
        request.POST if request.method == "POST" else None,
        force=force,
        sending=action == "send",
        initial=None if request.method == "POST" else _initial(request, force),
    )
    context = {"form": form, "force": force, "audiences": AUDIENCES.values(), "placeholders": messages.PLACEHOLDERS}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = 200
            data = form.cleaned_data
            audience, programme = data["audience_obj"], data["programme"]
            try:
                if action in ("send", "save") and data.get("template_name"):
                    messages.message_template_save(
                        force=force,
                        name=data["template_name"],
                        subject=data["subject"],
                        body=data["body"],
                        actor=request.user,
                    )
                    if action == "save":
                        flash.success(request, f"Saved the template “{data['template_name']}”.")
                if action == "send" and audience.can_send:
                    message = messages.audience_message_send(
                        force=force,
                        audience=audience,
                        programme=programme,
                        subject=data["subject"],
                        body=data["body"],
                        actor=request.user,
                    )
                    flash.success(
                        request,
                        f"Sending to {message.recipient_count} "
                        f"{'person' if message.recipient_count == 1 else 'people'} now. "
                        "This page shows each email as it goes.",
                    )
                    return redirect("audience:detail", pk=message.pk)
            except CommunicationsError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status
            if action == "save" and not data.get("template_name"):
                form.add_error("template_name", "Give the template a name to save it.")
                status = 400
            reach = audience_reach(audience=audience, force=force, programme=programme)
            context |= {
                "audience": audience,
                "programme": programme,
                "reach": reach,
                "previews": _previews(
                    audience=audience,
                    reach=reach,
                    subject=data["subject"],
                    body=data["body"],
                    force=force,
                    programme=programme,
                )
                if audience.can_send and not form.errors.get("subject") and not form.errors.get("body")
                else [],
            }
    return render(request, "communications/message_new.html", context, status=status)


@coordinator_required
def message_list(request):
    force = force_for_coordinator(request)
    page = Paginator(messages.messages_with_counts(force), MESSAGES_PAGE_SIZE).get_page(request.GET.get("page"))
    for message in page.object_list:
        message.title = messages.display_subject(message)
        message.waiting_count = message.recipient_count - message.sent_count - message.failed_count
    return render(
        request,
        "communications/message_list.html",
        {"force": force, "page": page, "force_query": _force_query(request, force)},
    )


@coordinator_required
def message_detail(request, pk):
    message = get_for_coordinator(
        request.user, AudienceMessage.objects.select_related("force", "programme", "sent_by"), pk=pk
    )
    counts = MessageRecipient.objects.filter(message=message).aggregate(
        sent=Count("pk", filter=Q(email__sent_at__isnull=False)),
        failed=Count(
            "pk", filter=Q(email__sent_at__isnull=True, email__failed_attempts__gte=OutboundEmail.MAX_ATTEMPTS)
        ),
    )
    counts["waiting"] = message.recipient_count - counts["sent"] - counts["failed"]
    recipients = (
        MessageRecipient.objects.filter(message=message)
        .select_related("email")
        .only("kind", "person_name", "message_id", "email__sent_at", "email__failed_attempts")
        .order_by("pk")
    )
    page = Paginator(recipients, RECIPIENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"recipient": r, "state": messages.recipient_state(r)} for r in page]
    for row in rows:
        row["state_words"] = messages.STATE_WORDS[row["state"]]
    context = {
        "message": message,
        "title": messages.display_subject(message),
        "counts": counts,
        "page": page,
        "rows": rows,
        "now": timezone.now(),
    }
    return render(request, "communications/message_detail.html", context)


@coordinator_required
def template_list(request):
    force = force_for_coordinator(request)
    saved = MessageTemplate.objects.filter(force=force).order_by("name")
    context = {
        "force": force,
        "built_in": [(t, AUDIENCES[t.audience]) for t in messages.BUILT_IN],
        "saved": saved,
        "form": DeleteTemplateForm(),
    }
    return render(request, "communications/message_templates.html", context)


@coordinator_required
@require_POST
def template_delete(request, pk):
    template = get_for_coordinator(request.user, MessageTemplate.objects.select_related("force"), pk=pk)
    messages.message_template_delete(template=template, actor=request.user)
    flash.success(request, f"Deleted the template “{template.name}”.")
    return redirect("audience:templates")
