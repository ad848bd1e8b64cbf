from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    # The coordinator's partner organisations and their people.
    path("partners/", views.organisations, name="organisations"),
    path("partners/new/", views.organisation_create, name="organisation_create"),
    path("partners/<int:pk>/", views.organisation_edit, name="organisation_edit"),
    path("partners/<int:pk>/people/new/", views.person_create, name="person_create"),
    path("partners/people/<int:person_pk>/", views.person_edit, name="person_edit"),
    path("partners/people/<int:person_pk>/invite/", views.person_invite, name="person_invite"),
    # Documents with a state: upload, approve, read (only in scope), and the force's rule.
    path("partners/documents/", views.documents, name="documents"),
    path("partners/documents/rules/", views.document_rules, name="document_rules"),
    path("partners/documents/new/", views.document_upload, name="document_upload"),
    path("partners/documents/<int:doc_pk>/", views.document_detail, name="document_detail"),
    path("partners/documents/<int:doc_pk>/approve/", views.document_approve, name="document_approve"),
    path("partners/documents/<int:doc_pk>/file/", views.document_download, name="document_download"),
    # A programme's partners, action log and meetings.
    path("programmes/<int:pk>/partners/", views.programme_partners, name="programme"),
    path("programmes/<int:pk>/partners/roles/<int:role_pk>/remove/", views.role_remove, name="role_remove"),
    path("programmes/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("programmes/<int:pk>/actions/<int:action_pk>/", views.action_edit, name="action_edit"),
    path("programmes/<int:pk>/meetings/", views.meetings, name="meetings"),
    path("programmes/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("programmes/<int:pk>/meetings/<int:meeting_pk>/", views.meeting_edit, name="meeting_edit"),
    path(
        "programmes/<int:pk>/activities/<int:activity_pk>/risk-assessment/",
        views.risk_override,
        name="risk_override",
    ),
    # The partner person's own pages.
    path("partner/", views.partner_home, name="partner_home"),
    path("partner/programmes/<int:pk>/", views.partner_programme, name="partner_programme"),
    path("partner/actions/<int:action_pk>/done/", views.partner_action_done, name="partner_action_done"),
    # A partner person's emailed invitation to sign in (no account needed to open it).
    path("partners/join/accept/", views.invitation_accept, name="invitation_accept"),
    path("partners/join/<str:token>/", views.invitation_open, name="invitation_open"),
]
