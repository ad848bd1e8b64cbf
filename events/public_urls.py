"""The reply page an invitee opens from the emailed link, without an account."""

from django.urls import include, path

from . import views

reply_patterns = [
    path("", views.reply_page, name="page"),
    path("calendar.ics", views.reply_calendar, name="calendar"),
    path("<str:token>/", views.reply_open, name="open"),
]

urlpatterns = [path("reply/", include((reply_patterns, "event_reply")))]
