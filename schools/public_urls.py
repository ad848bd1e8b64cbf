"""Pages reached from emailed links, without signing in: guardian consent and contact invitations."""

from django.urls import include, path

from . import views

consent_patterns = [
    path("form/", views.consent_form, name="form"),
    path("withdraw/", views.consent_withdraw, name="withdraw"),
    path("<str:token>/", views.consent_open, name="open"),
]

invitation_patterns = [
    path("accept/", views.invitation_accept, name="accept"),
    path("<str:token>/", views.invitation_open, name="open"),
]

urlpatterns = [
    path("consent/", include((consent_patterns, "consent"))),
    path("invitations/", include((invitation_patterns, "invitations"))),
]
