"""The joining-instructions page a family or school opens from the emailed link, without an account."""

from django.urls import include, path

from . import views

joining_patterns = [
    path("", views.joining_page, name="page"),
    path("calendar.ics", views.joining_calendar, name="calendar"),
    path("texts/", views.joining_texts, name="texts"),
    path("<str:token>/", views.joining_open, name="open"),
]

urlpatterns = [path("joining/", include((joining_patterns, "joining")))]
