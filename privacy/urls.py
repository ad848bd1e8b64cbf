from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.privacy_home, name="home"),
    path("forces/<int:pk>/notices/", views.force_notices, name="force_notices"),
    path("nominations/<int:pk>/erase/", views.student_erase, name="student_erase"),
    path("nominations/<int:pk>/export.zip", views.student_export, name="student_export"),
    path("forces/<int:pk>/retention/", views.retention_policy, name="retention_policy"),
]
