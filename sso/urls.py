from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("sign-in/force-account/", views.start_by_email, name="start_by_email"),
    path("sign-in/force-account/callback/", views.callback, name="callback"),
    path("sign-in/force-account/<slug:slug>/", views.start, name="start"),
]
