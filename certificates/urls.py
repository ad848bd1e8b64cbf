from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("programmes/<int:pk>/", views.programme_certificates, name="programme_certificates"),
    path("programmes/<int:pk>/issue/", views.programme_issue, name="programme_issue"),
    path("programmes/<int:pk>/certificates.zip", views.programme_zip, name="programme_zip"),
    path("programmes/<int:pk>/ceremony.pdf", views.programme_ceremony_pdf, name="programme_ceremony_pdf"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("<int:pk>/download/", views.certificate_download, name="download"),
    path("<int:pk>/revoke/", views.certificate_revoke, name="revoke"),
    path("<int:pk>/reissue/", views.certificate_reissue, name="reissue"),
    path("<int:pk>/student-link/", views.student_link_create, name="student_link_create"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_edit, name="template_create"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/preview.pdf", views.template_preview, name="template_preview"),
    path("s/<str:token>/", views.student_open, name="student_open"),
    path("mine/", views.student_certificate, name="student_certificate"),
    path("mine/download/", views.student_download, name="student_download"),
]
