"""Public pages, no sign-in: each force's privacy notice and accessibility statement."""

from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("privacy/", views.notice_index, {"kind": "privacy"}, name="privacy_index"),
    path("privacy/<slug:slug>/", views.privacy_notice, name="privacy"),
    path("accessibility/", views.notice_index, {"kind": "accessibility"}, name="accessibility_index"),
    path("accessibility/<slug:slug>/", views.accessibility_statement, name="accessibility"),
]
