from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("programmes/<int:pk>/practice-report/", views.practice_report, name="practice_report"),
    path("programmes/<int:pk>/practice-report/edit/", views.practice_report_edit, name="practice_report_edit"),
    path("programmes/<int:pk>/practice-report.pdf", views.practice_report_pdf, name="practice_report_pdf"),
    path("programmes/<int:pk>/practice-report.docx", views.practice_report_docx, name="practice_report_docx"),
    path("reports/trends/", views.trends, name="trends"),
    path("reports/trends/export.<str:fmt>", views.trends_export, name="trends_export"),
    path("reports/national/", views.national, name="national"),
    path("reports/national/sharing/", views.national_sharing, name="national_sharing"),
    path("reports/sharing/", views.share_links, name="share_links"),
    path("reports/sharing/<int:pk>/stop/", views.share_link_revoke, name="share_link_revoke"),
    path("shared/<str:token>/", views.shared, name="shared"),
    path("shared/<str:token>/report.pdf", views.shared_pdf, name="shared_pdf"),
]
