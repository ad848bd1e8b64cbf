from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("programmes/<int:pk>/practice-report/", views.practice_report, name="practice_report"),
    path("programmes/<int:pk>/practice-report/edit/", views.practice_report_edit, name="practice_report_edit"),
    path("programmes/<int:pk>/practice-report.pdf", views.practice_report_pdf, name="practice_report_pdf"),
    path("programmes/<int:pk>/practice-report.docx", views.practice_report_docx, name="practice_report_docx"),
]
