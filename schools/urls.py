from django.urls import include, path

from . import views

app_name = "schools"

school_patterns = [
    path("allocations/<int:allocation_pk>/nominate/", views.nominate, name="nominate"),
    path("allocations/<int:allocation_pk>/upload/", views.nomination_upload, name="nomination_upload"),
    path("nominations/template.csv", views.csv_template, name="csv_template"),
    path("nominations/", views.nomination_list, name="nomination_list"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"),
    path("nominations/<int:pk>/offer/", views.offer_respond, name="offer_respond"),
    path("nominations/<int:pk>/offer/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("nominations/<int:pk>/consent/resend/", views.consent_resend, name="consent_resend"),
    path("colleagues/invite/", views.colleague_invite, name="colleague_invite"),
    path("programmes/<int:pk>/allocations/", views.allocations, name="allocations"),
    path("programmes/<int:pk>/invite/", views.contact_invite, name="contact_invite"),
    path("programmes/<int:pk>/nominations/", views.review, name="review"),
    path("programmes/<int:pk>/weeks/", views.weeks, name="weeks"),
    path("programmes/<int:pk>/weeks/<int:week_pk>/unlink/", views.week_unlink, name="week_unlink"),
    path("programmes/<int:pk>/selection/", views.selection, name="selection"),
    path("programmes/<int:pk>/selection/confirm/", views.selection_confirm, name="selection_confirm"),
]

# Mounted at the site root: the contact's start page keeps its short address.
urlpatterns = [
    path("schools/", include(school_patterns)),
    path("institution/", views.contact_home, name="contact_home"),
]
