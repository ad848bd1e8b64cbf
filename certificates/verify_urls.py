"""Public verification of certificates: /verify/ (a form) and /verify/<code>/."""

from django.urls import path

from . import views

app_name = "verify"

urlpatterns = [
    path("", views.verify_form, name="form"),
    path("<str:code>/", views.verify_result, name="result"),
]
