"""Partners' pages: the coordinator's (organisations, a programme's partners and action log, meetings,
documents) and the partner person's own (their actions, their organisation's programmes).

Each view checks access through accounts.access (404 outside the user's scope), validates a form,
calls one service and redirects.
"""

from __future__ import annotations

import copy
import mimetypes

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import coordinator_required, force_for_coordinator, get_for_coordinator, partner_required
from accounts.scoping import get_for_user, scope_for, scoped
from core.invitations import InvitationKind, Invited, invitation_accept_view, invitation_open_view
from core.services import email_render
from placements.models import Activity, Programme

from . import selectors, services
from .forms import (
    ActionForm,
    ArisingActionForm,
    DocumentForm,
    DocumentRulesForm,
    MeetingForm,
    OrganisationForm,
    PartnerPersonForm,
    ProgrammePartnerForm,
    RiskOverrideForm,
)
from .models import Action, Document, DocumentRules, Meeting, Organisation, PartnerPerson, ProgrammePartner
from .services import PartnerError

ARISING_ROWS = 3


def _apply_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _programme(request, pk):
    return get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)


# --- organisations and their people ---------------------------------------------------------------


@coordinator_required
def organisations(request):
    force = force_for_coordinator(request)
    rows = selectors.organisation_list(force=force)
    return render(request, "partners/organisation_list.html", {"force": force, "organisations": rows})


@coordinator_required
def organisation_create(request):
    force = force_for_coordinator(request)
    form = OrganisationForm(request.POST or None, initial={"is_active": True})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                organisation = services.organisation_create(force=force, details=form.cleaned_data, actor=request.user)
            except PartnerError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{organisation.name} added. Now add the people you deal with there.")
                return redirect("partners:organisation_edit", pk=organisation.pk)
    return render(request, "partners/organisation_form.html", {"form": form, "force": force}, status=status)


@coordinator_required
def organisation_edit(request, pk):
    organisation = get_for_coordinator(request.user, Organisation.objects.select_related("force"), pk=pk)
    form = OrganisationForm(request.POST or None, instance=copy.copy(organisation))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.organisation_update(organisation=organisation, details=form.cleaned_data, actor=request.user)
            except PartnerError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{organisation.name} saved.")
                return redirect("partners:organisations")
    context = {
        "form": form,
        "organisation": organisation,
        "people": selectors.organisation_people(organisation=organisation),
        "roles": organisation.programme_roles.select_related("programme").order_by("-programme__start_date"),
    }
    return render(request, "partners/organisation_form.html", context, status=status)


@coordinator_required
def person_create(request, pk):
    organisation = get_for_coordinator(request.user, Organisation.objects.select_related("force"), pk=pk)
    form = PartnerPersonForm(request.POST or None, initial={"is_active": True})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            person = services.partner_person_create(
                organisation=organisation, details=form.cleaned_data, actor=request.user
            )
            messages.success(request, f"{person.name} added to {organisation.name}.")
            return redirect("partners:organisation_edit", pk=organisation.pk)
    context = {"form": form, "organisation": organisation}
    return render(request, "partners/person_form.html", context, status=status)


@coordinator_required
def person_edit(request, person_pk):
    person = get_for_coordinator(
        request.user, PartnerPerson.objects.select_related("organisation__force", "user"), pk=person_pk
    )
    form = PartnerPersonForm(request.POST or None, instance=copy.copy(person))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            services.partner_person_update(person=person, details=form.cleaned_data, actor=request.user)
            messages.success(request, f"{person.name} saved.")
            return redirect("partners:organisation_edit", pk=person.organisation_id)
    context = {"form": form, "organisation": person.organisation, "person": person}
    return render(request, "partners/person_form.html", context, status=status)


@coordinator_required
def person_invite(request, person_pk):
    person = get_for_coordinator(
        request.user, PartnerPerson.objects.select_related("organisation__force"), pk=person_pk
    )
    status = 200
    if request.method == "POST":
        try:
            services.partner_invitation_create(person=person, actor=request.user)
        except PartnerError as error:
            messages.error(request, error.message)
            status = error.status
        else:
            messages.success(request, f"Invitation sent to {person.email}. The link works once, for 7 days.")
            return redirect("partners:organisation_edit", pk=person.organisation_id)
    subject, body = email_render(
        kind="partner_invitation",
        context={
            "person": person,
            "force": person.organisation.force,
            "organisation": person.organisation,
            "inviter": request.user.get_full_name() or request.user.username,
            "link": "/partners/join/…",
            "days": services.INVITATION_DAYS,
        },
    )
    context = {
        "person": person,
        "subject": subject,
        "body": body,
        "can_invite": person.is_active and person.user_id is None and bool(person.email),
    }
    return render(request, "partners/person_invite.html", context, status=status)


# --- a programme's partners, action log and meetings -----------------------------------------------


@coordinator_required
def programme_partners(request, pk):
    programme = _programme(request, pk)
    force = programme.force
    role_form = ProgrammePartnerForm(request.POST or None, force=force, prefix="role")
    status = 200
    if request.method == "POST":
        status = 400
        if role_form.is_valid():
            try:
                services.programme_partner_add(programme=programme, actor=request.user, **role_form.cleaned_data)
            except PartnerError as error:
                _apply_error(role_form, error)
                status = error.status
            else:
                messages.success(request, f"{role_form.cleaned_data['organisation'].name} added to the programme.")
                return redirect("partners:programme", pk=programme.pk)
    context = {
        "programme": programme,
        "role_form": role_form,
        "today": timezone.localdate(),
        "activities": selectors.activity_risk_states(programme=programme),
        "required": selectors.risk_assessment_required(programme.force_id),
        **selectors.programme_partners(programme=programme),
    }
    return render(request, "partners/programme.html", context, status=status)


@require_POST
@coordinator_required
def role_remove(request, pk, role_pk):
    programme = _programme(request, pk)
    link = get_object_or_404(ProgrammePartner.objects.select_related("organisation"), programme=programme, pk=role_pk)
    services.programme_partner_remove(link=link, actor=request.user)
    messages.success(request, f"{link.organisation.name} is no longer {link.get_role_display().lower()}.")
    return redirect("partners:programme", pk=programme.pk)


def _action_form(request, programme, instance=None, with_state=False):
    people, partners = selectors.owner_choices(force=programme.force)
    return ActionForm(request.POST or None, instance=instance, people=people, partners=partners, with_state=with_state)


@coordinator_required
def action_create(request, pk):
    programme = _programme(request, pk)
    form = _action_form(request, programme)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            owner_person, owner_partner = form.cleaned_data["owner"]
            try:
                action = services.action_create(
                    programme=programme,
                    details=form.cleaned_data,
                    owner_person=owner_person,
                    owner_partner=owner_partner,
                    actor=request.user,
                )
            except PartnerError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{action.get_kind_display()} added for {action.owner_name}.")
                return redirect("partners:programme", pk=programme.pk)
    return render(request, "partners/action_form.html", {"programme": programme, "form": form}, status=status)


@coordinator_required
def action_edit(request, pk, action_pk):
    programme = _programme(request, pk)
    action = get_object_or_404(Action.objects.filter(programme=programme), pk=action_pk)
    form = _action_form(request, programme, instance=copy.copy(action), with_state=True)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            owner_person, owner_partner = form.cleaned_data["owner"]
            try:
                services.action_update(
                    action=action,
                    details=form.cleaned_data,
                    owner_person=owner_person,
                    owner_partner=owner_partner,
                    state=form.cleaned_data.get("state") or None,
                    actor=request.user,
                )
            except PartnerError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, "Action log saved.")
                return redirect("partners:programme", pk=programme.pk)
    context = {"programme": programme, "form": form, "action": action}
    return render(request, "partners/action_form.html", context, status=status)


@coordinator_required
def meetings(request, pk):
    programme = _programme(request, pk)
    rows = list(Meeting.objects.filter(programme=programme).prefetch_related("actions"))
    return render(request, "partners/meeting_list.html", {"programme": programme, "meetings": rows})


@coordinator_required
def meeting_create(request, pk):
    programme = _programme(request, pk)
    people, partners = selectors.owner_choices(force=programme.force)
    form = MeetingForm(request.POST or None, initial={"held_on": timezone.localdate()})
    rows = [
        ArisingActionForm(request.POST or None, prefix=f"action{i}", people=people, partners=partners)
        for i in range(ARISING_ROWS)
    ]
    status = 200
    if request.method == "POST":
        status = 400
        row_results = [row.is_valid() for row in rows]  # every row, so each shows its own errors
        valid = form.is_valid() and all(row_results)
        if valid:
            actions = []
            for row in rows:
                if row.is_blank:
                    continue
                owner_person, owner_partner = row.cleaned_data["owner"]
                actions.append(
                    {
                        "title": row.cleaned_data["title"],
                        "due_on": row.cleaned_data["due_on"],
                        "owner_person": owner_person,
                        "owner_partner": owner_partner,
                    }
                )
            try:
                meeting = services.meeting_record(
                    programme=programme, details=form.cleaned_data, actions=actions, actor=request.user
                )
            except PartnerError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{meeting.title} recorded with {len(actions)} actions arising.")
                return redirect("partners:meetings", pk=programme.pk)
    context = {"programme": programme, "form": form, "rows": rows}
    return render(request, "partners/meeting_form.html", context, status=status)


@coordinator_required
def meeting_edit(request, pk, meeting_pk):
    programme = _programme(request, pk)
    meeting = get_object_or_404(Meeting.objects.filter(programme=programme), pk=meeting_pk)
    form = MeetingForm(request.POST or None, instance=copy.copy(meeting))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            services.meeting_update(meeting=meeting, details=form.cleaned_data, actor=request.user)
            messages.success(request, "Meeting notes saved.")
            return redirect("partners:meetings", pk=programme.pk)
    actions = meeting.actions.select_related("owner_person", "owner_partner__organisation")
    context = {"programme": programme, "form": form, "meeting": meeting, "actions": actions}
    return render(request, "partners/meeting_form.html", context, status=status)


# --- documents ----------------------------------------------------------------------------------


@coordinator_required
def documents(request):
    force = force_for_coordinator(request)
    today = timezone.localdate()
    rules = DocumentRules.objects.filter(force=force).first()
    rules_form = DocumentRulesForm(initial={"risk_assessment_required": bool(rules and rules.risk_assessment_required)})
    context = {
        "force": force,
        "documents": selectors.document_list(force=force, today=today),
        "rules_form": rules_form,
        "required": bool(rules and rules.risk_assessment_required),
        "today": today,
    }
    return render(request, "partners/document_list.html", context)


@require_POST
@coordinator_required
def document_rules(request):
    force = force_for_coordinator(request)
    form = DocumentRulesForm(request.POST)
    form.is_valid()  # a tick box: absent is "off"
    required = bool(form.cleaned_data.get("risk_assessment_required"))
    services.document_rules_set(force=force, risk_assessment_required=required, actor=request.user)
    if required:
        messages.success(request, "From now on, an activity is timetabled only with an approved risk assessment.")
    else:
        messages.success(request, "Activities can be timetabled without an approved risk assessment.")
    return redirect("partners:documents")


@coordinator_required
def document_upload(request):
    force = force_for_coordinator(request)
    initial = {}
    activity_pk = request.GET.get("activity")
    if activity_pk and activity_pk.isdigit():
        activity = Activity.objects.filter(force=force, pk=activity_pk).first()
        if activity is not None:
            initial = {"kind": Document.Kind.RISK_ASSESSMENT, "activity": activity, "title": activity.title}
    form = DocumentForm(request.POST or None, request.FILES or None, force=force, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                document = services.document_upload(
                    force=force, details=form.cleaned_data, upload=form.cleaned_data["file"], actor=request.user
                )
            except PartnerError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{document.title} uploaded. It counts once it is approved.")
                return redirect("partners:document_detail", doc_pk=document.pk)
    return render(request, "partners/document_form.html", {"form": form, "force": force}, status=status)


def _document_for_coordinator(request, doc_pk):
    return get_for_coordinator(
        request.user,
        Document.objects.select_related("force", "activity", "programme", "organisation", "owner", "approved_by"),
        pk=doc_pk,
    )


@coordinator_required
def document_detail(request, doc_pk):
    document = _document_for_coordinator(request, doc_pk)
    form = DocumentForm(request.POST or None, instance=copy.copy(document), force=document.force, with_file=False)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.document_update(document=document, details=form.cleaned_data, actor=request.user)
            except PartnerError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, "Document details saved.")
                return redirect("partners:document_detail", doc_pk=document.pk)
    context = {"document": document, "form": form, "today": timezone.localdate()}
    return render(request, "partners/document_detail.html", context, status=status)


@require_POST
@coordinator_required
def document_approve(request, doc_pk):
    document = _document_for_coordinator(request, doc_pk)
    try:
        services.document_approve(document=document, actor=request.user)
    except PartnerError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{document.title} approved.")
    return redirect("partners:document_detail", doc_pk=document.pk)


@coordinator_required
def risk_override(request, pk, activity_pk):
    programme = _programme(request, pk)
    activity = get_object_or_404(Activity.objects.filter(force=programme.force_id), pk=activity_pk)
    existing = programme.risk_overrides.filter(activity=activity).select_related("given_by").first()
    form = RiskOverrideForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.risk_override_give(
                    programme=programme, activity=activity, reason=form.cleaned_data["reason"], actor=request.user
                )
            except PartnerError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(
                    request, f"“{activity.title}” can be timetabled on {programme.title}; the reason is kept."
                )
                return redirect("partners:programme", pk=programme.pk)
    context = {"programme": programme, "activity": activity, "form": form, "existing": existing}
    return render(request, "partners/risk_override.html", context, status=status)


def document_download(request, doc_pk):
    """The file itself, to anyone whose scope holds the document (coordinators of its force, partner
    people of its organisation or of a programme their organisation has a role on); 404 to everyone else."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    document = get_for_user(request.user, Document, pk=doc_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this document is missing.") from None
    content_type = (
        document.content_type or mimetypes.guess_type(document.original_name)[0] or "application/octet-stream"
    )
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- the partner person's own pages --------------------------------------------------------------


def _me(request):
    return get_for_user(
        request.user,
        PartnerPerson.objects.select_related("organisation__force"),
        pk=scope_for(request.user).partner_person_id,
    )


@partner_required
def partner_home(request):
    person = _me(request)
    context = {"person": person, "today": timezone.localdate(), **selectors.partner_home(person=person)}
    return render(request, "partners/partner_home.html", context)


@partner_required
def partner_programme(request, pk):
    person = _me(request)
    # Only programmes the person's own organisation has a role on: 404 for any other.
    link = scoped(request.user, ProgrammePartner).select_related("programme").filter(programme=pk).first()
    if link is None:
        raise Http404("No programme found.")
    programme = link.programme
    context = {
        "person": person,
        "programme": programme,
        "today": timezone.localdate(),
        **selectors.partner_programme(programme=programme, person=person),
    }
    return render(request, "partners/partner_programme.html", context)


@require_POST
@partner_required
def partner_action_done(request, action_pk):
    action = get_for_user(request.user, Action.objects.select_related("programme"), pk=action_pk)
    try:
        services.action_mark_done(action=action, actor=request.user)
    except PartnerError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{action.title}” marked done. Thank you.")
    return redirect("partners:partner_home")


# --- the emailed invitation to sign in (the flow of core.invitations) --------------------------------


def _invited(invitation):
    person = invitation.person
    force = person.organisation.force
    return Invited(
        role=f"{person.name} of {person.organisation.name}, a partner of",
        place=force.name,
        force=force,
        link_label=f"Use my account for {force.name}'s partner pages",
        welcome=f"Welcome. You can now see your actions for {force.name}'s work-experience programmes.",
        home="accounts:home",
        note="With this sign-in you see the actions you own and a summary of the programmes your organisation "
        "works on. You never see any student's details.",
    )


PARTNER_INVITATION = InvitationKind(
    name="partner-invitation",
    session_key="partner_invitation_pk",
    accept_url="partners:invitation_accept",
    open=lambda token: services.partner_invitation_open(token=token),
    find=lambda pk: services.partner_invitation_find(pk=pk),
    has_account=lambda invitation: services.partner_invitation_has_account(invitation=invitation),
    accept=services.partner_invitation_accept,
    link=services.partner_invitation_link,
    describe=_invited,
)

invitation_open = invitation_open_view(PARTNER_INVITATION)
invitation_accept = invitation_accept_view(PARTNER_INVITATION)
