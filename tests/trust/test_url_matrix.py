# ruff: noqa: E501  (the matrix table is wider than a line)
"""Role × URL matrix: every URL of the project, requested by every role with real ids.

The world is the demo seed (force A, built through the apps' services: intake with consent,
week plan, attendance, budget, surveys with responses, certificates, mentoring) plus force B.

Cells: ``200``/``302`` allowed; ``409`` allowed, but the object's state refuses it (the demo's
nomination has no open offer to withdraw); ``login`` anonymous → sign-in redirect (GET and POST); ``403``
signed in without the role; ``404`` outside the user's scope (or no token in the session);
``405`` a POST-only endpoint the role may use (only GET is tried); ``405/404`` (or ``405/403``,
``405/login``) a POST-only endpoint: GET is 405 and a POST by this role is refused with the
second code. Every refused POST (also on ``login``/``403``/``404`` cells) must change nothing.

Columns: anon; ctc_a/ctc_b contacts of two schools of force A; crd_a/crd_b coordinators of
force A/B; lead (syndicate lead, force A); mentor (force A); ptn (a partner person of force A with a
sign-in: the county council's, which selects schools for the demo's running week); student (anonymous client that has
opened a survey, certificate and consent link, so those tokens are in its session).
"""

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.trust.world import build_world

ROLES = ["anon", "contact_a", "contact_b", "coord_a", "coord_b", "lead", "mentor", "partner", "student"]
COLUMNS = ["anon", "ctc_a", "ctc_b", "crd_a", "crd_b", "lead", "mentor", "ptn", "student"]
LOCAL_LABELS = {
    "accounts",
    "placements",
    "schools",
    "surveys",
    "certificates",
    "mentoring",
    "communications",
    "partners",
    "core",
    "privacy",
    "reports",
    "sso",
    "auth",
}

ARGS = {
    "placements:": {
        "pk": "programme",
        "syndicate_pk": "syndicate",
        "session_pk": "session",
        "activity_pk": "activity",
        "line_pk": "budget_line",
        "unavailability_pk": "unavailability",
        "person_pk": "person",
        "department_pk": "department",
        "token": "t:person_invitation",
    },
    # Each its own person: fuzzing one page must not change what another page shows.
    "placements:person_deactivate": {"person_pk": "person_leaving"},
    "placements:person_reactivate": {"person_pk": "person_leaving"},
    "placements:person_invite": {"person_pk": "person_invitee"},
    # A programme still to run (the demo week has finished, so there is nothing to cancel on it).
    "placements:programme_cancel": {"pk": "intake_programme"},
    "certificates:programme": {"pk": "certificate_programme"},
    "certificates:job": {"pk": "job"},
    "certificates:template": {"pk": "template"},
    "certificates:": {"pk": "certificate", "token": "t:certificate"},
    "consent:": {"token": "t:consent"},
    "communications:": {"pk": "joining_programme", "department_pk": "department", "syndicate_pk": "syndicate"},
    "audience:detail": {"pk": "audience_message"},
    "audience:template_delete": {"pk": "message_template"},
    "joining:": {"token": "t:joining"},
    "events:": {"pk": "event"},
    "events:invitation_new_link": {"pk": "event_invitation"},
    "events:invitation_remove": {"pk": "event_invitation"},
    "event_reply:": {"token": "t:event_reply"},
    "privacy:student": {"pk": "nomination"},
    "privacy:retention_policy": {"pk": "force"},
    "privacy:force_notices": {"pk": "force"},
    "notices:": {"slug": "=northshire"},  # force A of the demo
    "invitations:": {"token": "t:invitation"},
    "mentoring:programme": {"pk": "mentoring_programme"},
    "mentoring:": {"pk": "assignment", "placement_pk": "placement"},
    "schools:": {"allocation_pk": "allocation", "pk": "nomination"},
    "schools:allocations": {"pk": "intake_programme"},
    "schools:contact_invite": {"pk": "intake_programme"},
    "schools:review": {"pk": "intake_programme"},
    "schools:selection": {"pk": "intake_programme"},
    "schools:selection_confirm": {"pk": "intake_programme"},
    "schools:weeks": {"pk": "intake_programme"},
    "schools:week_unlink": {"pk": "intake_programme", "week_pk": "programme"},
    "surveys:programme": {"pk": "programme"},
    "surveys:": {"pk": "survey", "fmt": "=csv", "step": "=1", "token": "t:survey"},
    "verify:": {"code": "verification_code"},
    "reports:": {"pk": "programme"},
    "reports:trends_export": {"fmt": "=csv"},
    "reports:share_link_revoke": {"pk": "share_link"},
    # A working link to the demo week's practice report (expired and stopped links: tests/reports/test_sharing.py).
    "reports:shared": {"token": "t:share"},
    "partners:": {
        "pk": "partners_programme",
        "person_pk": "partner_person",
        "doc_pk": "document",
        "action_pk": "partner_action",
        "meeting_pk": "meeting",
        "role_pk": "partner_role",
        "activity_pk": "activity",
        "token": "t:partner_invitation",
    },
    "partners:organisation_edit": {"pk": "organisation"},
    "partners:person_create": {"pk": "organisation"},
    "sso:": {"slug": "=northshire"},  # force A of the demo, which has no sign-in with force accounts set up
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or entry.pattern}", entry


def enumerate_urls():
    return dict(_walk(get_resolver().url_patterns))


def url_for(name, entry, world):
    kwargs = {}
    for key in entry.pattern.converters:
        source = None
        for prefix in sorted((p for p in ARGS if name.startswith(p)), key=len, reverse=True):
            if key in ARGS[prefix]:
                source = ARGS[prefix][key]
                break
        assert source, (name, key)
        if source.startswith("="):
            kwargs[key] = source[1:]
        elif source.startswith("t:"):
            kwargs[key] = world.tokens[source[2:]]
        else:
            kwargs[key] = world.ids[source]
    return reverse(name, kwargs=kwargs)


def make_clients(world):
    sessions = {}
    for role, user in world.users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        if role == "student":
            for url in (
                f"/s/{world.tokens['survey']}/",
                f"/certificates/s/{world.tokens['certificate']}/",
                f"/consent/{world.tokens['consent']}/",
                f"/joining/{world.tokens['joining']}/",
                f"/reply/{world.tokens['event_reply']}/",
            ):
                assert client.get(url).status_code == 302, url
        key = client.cookies.get(settings.SESSION_COOKIE_NAME)
        sessions[role] = dict(SessionStore(session_key=key.value).load()) if key else {}

    def fresh(role):
        client = Client()
        if sessions[role]:
            store = SessionStore()
            store.update(sessions[role])
            store.create()
            client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
        return client

    return fresh


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(resolve_url(settings.LOGIN_URL)):
            return "login"
        return "302"
    return str(response.status_code)


MATRIX = """
url name                               | anon    | ctc_a   | ctc_b   | crd_a   | crd_b   | lead    | mentor  | ptn     | student
--------------------------------------------------------------------------------------------------------------------------------
accounts:home                          | login   | 302     | 302     | 302     | 302     | 302     | 302     | 302     | login
accounts:login                         | 200     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 200
accounts:logout                        | 405     | 405     | 405     | 405     | 405     | 405     | 405     | 405     | 405
accounts:signed_out                    | 200     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 200
accounts:two_factor                    | login   | 200     | 200     | 200     | 200     | 200     | 200     | 200     | login
audit_trail                            | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
audience:detail                        | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
audience:list                          | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
audience:new                           | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
audience:template_delete               | login   | 403     | 403     | 405     | 405/404 | 403     | 403     | 403     | login
audience:templates                     | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
certificates:download                  | login   | 200     | 404     | 200     | 404     | 403     | 403     | 403     | login
certificates:job_progress              | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
certificates:programme_ceremony_pdf    | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
certificates:programme_certificates    | login   | 200     | 200     | 200     | 404     | 403     | 403     | 403     | login
certificates:programme_issue           | login   | 403     | 403     | 405     | 405/404 | 403     | 403     | 403     | login
certificates:programme_zip             | login   | 200     | 200     | 200     | 404     | 403     | 403     | 403     | login
certificates:reissue                   | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
certificates:revoke                    | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
certificates:student_certificate       | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 200
certificates:student_download          | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 200
certificates:student_link_create       | login   | 405     | 405/404 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | login
certificates:student_open              | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302
certificates:template_create           | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
certificates:template_edit             | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
certificates:template_list             | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
certificates:template_preview          | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
communications:department_calendar    | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
communications:joining_edit            | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
communications:joining_preview         | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
communications:joining_send            | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
communications:staff_tell              | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
communications:syndicate_calendar      | login   | 404     | 404     | 200     | 404     | 200     | 404     | 404     | login
consent:form                           | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 200
consent:open                           | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302
consent:withdraw                       | 405/404 | 405/404 | 405/404 | 405/404 | 405/404 | 405/404 | 405/404 | 405/404 | 405
health                                 | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
event_reply:calendar                   | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 200
event_reply:open                       | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302
event_reply:page                       | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 200
events:calendar                        | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
events:create                          | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
events:delete                          | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
events:detail                          | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
events:door_list                       | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
events:edit                            | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
events:invitation_new_link             | login   | 403     | 403     | 405     | 405/404 | 403     | 403     | 403     | login
events:invitation_remove               | login   | 403     | 403     | 405     | 405/404 | 403     | 403     | 403     | login
events:invite                          | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
events:list                            | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
events:remind                          | login   | 403     | 403     | 405     | 405/404 | 403     | 403     | 403     | login
invitations:accept                     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404
invitations:open                       | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302
joining:calendar                       | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 200
joining:open                           | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302
joining:page                           | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 200
joining:texts                          | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 302
mentoring:assign                       | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
mentoring:assignment                   | login   | 404     | 404     | 200     | 404     | 404     | 200     | 404     | login
mentoring:assignment_end               | 405/login | 405/404 | 405/404 | 405     | 405/404 | 405/404 | 405/403 | 405/404 | 405/login
mentoring:contact_create               | 405/login | 405/404 | 405/404 | 405     | 405/404 | 405/404 | 405     | 405/404 | 405/login
mentoring:dashboard                    | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
mentoring:mentor_home                  | login   | 403     | 403     | 403     | 403     | 403     | 200     | 403     | login
mentoring:outcome_create               | 405/login | 405/404 | 405/404 | 405     | 405/404 | 405/404 | 405     | 405/404 | 405/login
mentoring:placement_outcomes           | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
mentoring:programme                    | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
mentoring:referral_create              | 405/login | 405/403 | 405/403 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
mentoring:settings_update              | 405/login | 405/403 | 405/403 | 405     | 405     | 405/403 | 405/403 | 405/403 | 405/login
notices:accessibility                  | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
notices:accessibility_index            | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
notices:privacy                        | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
notices:privacy_index                  | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
partners:action_create                 | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:action_edit                   | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:document_approve              | 405/login | 405/403 | 405/403 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
partners:document_detail               | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:document_download             | login   | 404     | 404     | 200     | 404     | 404     | 404     | 200     | login
partners:document_rules                | 405/login | 405/403 | 405/403 | 405     | 405     | 405/403 | 405/403 | 405/403 | 405/login
partners:document_upload               | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
partners:documents                     | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
partners:invitation_accept             | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404
partners:invitation_open               | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302
partners:meeting_create                | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:meeting_edit                  | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:meetings                      | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:organisation_create           | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
partners:organisation_edit             | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:organisations                 | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
partners:partner_action_done           | 405/login | 405/403 | 405/403 | 405/403 | 405/403 | 405/403 | 405/403 | 405     | 405/login
partners:partner_home                  | login   | 403     | 403     | 403     | 403     | 403     | 403     | 200     | login
partners:partner_programme             | login   | 403     | 403     | 403     | 403     | 403     | 403     | 200     | login
partners:person_create                 | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:person_edit                   | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:person_invite                 | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:programme                     | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:risk_override                 | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
partners:role_remove                   | 405/login | 405/403 | 405/403 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
placements:activities                  | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:activity_create             | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:activity_edit               | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:activity_in_use             | 405/login | 405/403 | 405/403 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
placements:attendance                  | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:budget                      | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:budget_csv                  | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:budget_line_delete          | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:budget_line_edit            | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:department_create           | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
placements:department_edit             | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:department_schedule         | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:departments                 | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
placements:lead_home                   | login   | 403     | 403     | 403     | 403     | 200     | 403     | 403     | login
placements:people                      | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
placements:person_create               | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
placements:person_deactivate           | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:person_edit                 | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:person_invitation_accept    | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404
placements:person_invitation_open      | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302
placements:person_invite               | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:person_reactivate           | 405/login | 405/403 | 405/403 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
placements:placement_move              | 405/login | 405/403 | 405/403 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
placements:programme_cancel            | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:programme_copy              | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:programme_copy_choose       | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
placements:programme_create            | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
placements:programme_detail            | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:programme_edit              | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:programme_list              | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
placements:register                    | login   | 404     | 404     | 200     | 404     | 200     | 404     | 404     | login
placements:run_sheet                   | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:session_swap                | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:syndicate_schedule          | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:syndicate_update            | 405/login | 405/403 | 405/403 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
placements:syndicates                  | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:syndicates_build            | 405/login | 405/403 | 405/403 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
placements:timetable                   | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
placements:timetable_generate          | 405/login | 405/403 | 405/403 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
placements:unavailability_remove       | 405/login | 405/403 | 405/403 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
privacy:force_notices                  | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
privacy:home                           | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
privacy:retention_policy               | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
privacy:student_erase                  | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
privacy:student_export                 | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
reports:national                       | login   | 403     | 403     | 403     | 403     | 403     | 403     | 403     | login
reports:national_sharing               | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
reports:practice_report                | login   | 404     | 404     | 200     | 404     | 404     | 404     | 404     | login
reports:practice_report_docx           | login   | 404     | 404     | 200     | 404     | 404     | 404     | 404     | login
reports:practice_report_edit           | login   | 404     | 404     | 200     | 404     | 404     | 404     | 404     | login
reports:practice_report_pdf            | login   | 404     | 404     | 200     | 404     | 404     | 404     | 404     | login
reports:share_link_revoke              | login   | 403     | 403     | 405     | 405/404 | 403     | 403     | 403     | login
reports:share_links                    | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
reports:shared                         | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
reports:shared_pdf                     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
reports:trends                         | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
reports:trends_export                  | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
schools:allocations                    | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
schools:colleague_invite               | login   | 200     | 200     | 403     | 403     | 403     | 403     | 403     | login
schools:consent_resend                 | 405/login | 405     | 405/404 | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
schools:contact_home                   | login   | 200     | 200     | 403     | 403     | 403     | 403     | 403     | login
schools:contact_invite                 | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
schools:csv_template                   | login   | 200     | 200     | 403     | 403     | 403     | 403     | 403     | login
schools:nominate                       | login   | 200     | 404     | 403     | 403     | 403     | 403     | 403     | login
schools:nomination_detail              | login   | 200     | 404     | 200     | 404     | 404     | 404     | 404     | login
schools:nomination_edit                | login   | 200     | 404     | 403     | 403     | 403     | 403     | 403     | login
schools:nomination_list                | login   | 200     | 200     | 403     | 403     | 403     | 403     | 403     | login
schools:nomination_upload              | login   | 200     | 404     | 403     | 403     | 403     | 403     | 403     | login
schools:nomination_withdraw            | 405/login | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/403 | 405/403 | 405/login
schools:offer_respond                  | 405/login | 405     | 405/404 | 405/403 | 405/403 | 405/403 | 405/403 | 405/403 | 405/login
schools:offer_withdraw                 | login   | 403     | 403     | 409     | 404     | 403     | 403     | 403     | login
schools:review                         | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
schools:selection                      | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
schools:selection_confirm              | login   | 403     | 403     | 302     | 404     | 403     | 403     | 403     | login
schools:week_unlink                    | 405/login | 405/403 | 405/403 | 405/404 | 405/404 | 405/403 | 405/403 | 405/403 | 405/login
schools:weeks                          | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
set_language                           | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302
sso:callback                           | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400
sso:start                              | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404
sso:start_by_email                     | 405     | 405     | 405     | 405     | 405     | 405     | 405     | 405     | 405
surveys:code_enter                     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
surveys:contact_surveys                | login   | 200     | 200     | 200     | 200     | 403     | 403     | 403     | login
surveys:force_comparison               | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
surveys:force_export                   | login   | 403     | 403     | 200     | 200     | 403     | 403     | 403     | login
surveys:programme_import               | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
surveys:programme_report               | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
surveys:programme_report_json          | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
surveys:programme_setup                | login   | 403     | 403     | 405     | 405/404 | 403     | 403     | 403     | login
surveys:programme_surveys              | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
surveys:student_all                    | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 200
surveys:student_done                   | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
surveys:student_mode                   | 405     | 405     | 405     | 405     | 405     | 405     | 405     | 405     | 405
surveys:student_review                 | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 200
surveys:student_start                  | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 200
surveys:student_step                   | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 200
surveys:survey_outcomes_add            | login   | 403     | 403     | 405     | 405/404 | 403     | 403     | 403     | login
surveys:survey_paper_sheet             | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
surveys:survey_preview                 | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
surveys:survey_preview_step            | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
surveys:survey_qr_sheet                | login   | 404     | 404     | 200     | 404     | 404     | 404     | 404     | login
surveys:survey_send_links              | login   | 403     | 403     | 200     | 404     | 403     | 403     | 403     | login
surveys:survey_window                  | login   | 403     | 403     | 405     | 405/404 | 403     | 403     | 403     | login
surveys:token_enter                    | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302     | 302
verify:form                            | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
verify:result                          | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200     | 200
"""

DENIED = {"login", "403", "404"}


def parse_matrix():
    lines = [line for line in MATRIX.strip().splitlines() if line.strip() and not line.startswith("-")]
    header = [cell.strip() for cell in lines[0].split("|")]
    assert header[1:] == COLUMNS, header
    matrix = {}
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.split("|")]
        assert len(cells) == len(COLUMNS) + 1, line
        assert cells[0] not in matrix, f"{cells[0]} is twice in the matrix"
        matrix[cells[0]] = dict(zip(ROLES, cells[1:], strict=True))
    return matrix


def snapshot():
    """Every row of the project's own tables (and users): a refused request must change none."""
    models = [m for m in apps.get_models() if m._meta.app_label in LOCAL_LABELS]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def test_every_url_is_in_the_matrix():
    enumerated, listed = set(enumerate_urls()), set(parse_matrix())
    assert enumerated - listed == set(), "URLs without a row in MATRIX (add one)"
    assert listed - enumerated == set(), "MATRIX rows for URLs that no longer exist"


def test_role_url_matrix(db, settings, monkeypatch):
    settings.RATELIMIT_ENABLE = False  # the limits have their own tests; here every request counts
    monkeypatch.setattr("core.views._check_worker", lambda: "ok")  # no worker round trip per request
    matrix = parse_matrix()
    world = build_world()
    fresh = make_clients(world)
    urls = {name: url_for(name, entry, world) for name, entry in enumerate_urls().items()}
    wrong = []
    for name, url in sorted(urls.items()):
        for role, expected in matrix[name].items():
            got = outcome(fresh(role).get(url))
            if got != expected.split("/")[0]:
                wrong.append(f"GET  {name} as {role}: expected {expected.split('/')[0]}, got {got} ({url})")
    before = snapshot()
    posts = 0
    for name, url in sorted(urls.items()):
        for role, expected in matrix[name].items():
            refusal = expected.split("/")[-1]
            if refusal not in DENIED:
                continue
            posts += 1
            got = outcome(fresh(role).post(url, {"confirm": "1", "status": "withdrawn", "answer": "accept"}))
            if got != refusal:
                wrong.append(f"POST {name} as {role}: expected {refusal}, got {got} ({url})")
    assert posts > 300
    assert wrong == [], "\n".join(wrong)
    assert snapshot() == before, "a refused POST changed data"
