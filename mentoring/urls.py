from django.urls import path

from . import views

app_name = "mentoring"

urlpatterns = [
    path("", views.mentor_home, name="mentor_home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("settings/", views.settings_update, name="settings_update"),
    path("programme/<int:pk>/", views.programme_mentoring, name="programme"),
    path("placement/<int:placement_pk>/put-forward/", views.referral_create, name="referral_create"),
    path("placement/<int:placement_pk>/assign/", views.assign, name="assign"),
    path("placement/<int:placement_pk>/milestones/", views.placement_outcomes, name="placement_outcomes"),
    path("assignment/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignment/<int:pk>/contacts/", views.contact_create, name="contact_create"),
    path("assignment/<int:pk>/outcomes/", views.outcome_create, name="outcome_create"),
    path("assignment/<int:pk>/end/", views.assignment_end, name="assignment_end"),
]
