from django.urls import path

from . import views

app_name = "communications"

urlpatterns = [
    path("programmes/<int:pk>/joining/", views.joining_edit, name="joining_edit"),
    path("programmes/<int:pk>/joining/preview/", views.joining_preview, name="joining_preview"),
    path("programmes/<int:pk>/joining/send/", views.joining_send, name="joining_send"),
    path("programmes/<int:pk>/joining/leads-and-departments/", views.staff_tell, name="staff_tell"),
    path(
        "programmes/<int:pk>/calendars/departments/<int:department_pk>.ics",
        views.department_calendar,
        name="department_calendar",
    ),
    path("calendars/syndicates/<int:syndicate_pk>.ics", views.syndicate_calendar, name="syndicate_calendar"),
]
