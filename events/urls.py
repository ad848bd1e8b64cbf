from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/new/", views.event_create, name="create"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="edit"),
    path("events/<int:pk>/delete/", views.event_delete, name="delete"),
    path("events/<int:pk>/invite/", views.event_invite, name="invite"),
    path("events/<int:pk>/remind/", views.event_remind, name="remind"),
    path("events/<int:pk>/door-list.pdf", views.event_door_list, name="door_list"),
    path("events/<int:pk>/calendar.ics", views.event_calendar, name="calendar"),
    path("events/invitations/<int:pk>/new-link/", views.invitation_new_link, name="invitation_new_link"),
    path("events/invitations/<int:pk>/remove/", views.invitation_remove, name="invitation_remove"),
]
