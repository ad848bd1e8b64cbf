"""Messages to a chosen audience: the coordinator's pages (under /messages/)."""

from django.urls import path

from . import message_views as views

app_name = "audience"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("new/", views.message_new, name="new"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
]
