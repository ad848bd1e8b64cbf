from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    # Students: short public paths, no account.
    path("s/", views.student_start, name="student_start"),
    path("s/code/", views.code_enter, name="code_enter"),
    path("s/q/<int:step>/", views.student_step, name="student_step"),
    path("s/all/", views.student_all, name="student_all"),
    path("s/check/", views.student_review, name="student_review"),
    path("s/done/", views.student_done, name="student_done"),
    path("s/mode/", views.student_mode, name="student_mode"),
    path("s/<str:token>/", views.token_enter, name="token_enter"),
    # Coordinators (and school contacts for their QR sheets).
    path("surveys/programme/<int:pk>/", views.programme_surveys, name="programme_surveys"),
    path("surveys/programme/<int:pk>/setup/", views.programme_setup, name="programme_setup"),
    path("surveys/programme/<int:pk>/import/", views.programme_import, name="programme_import"),
    path("surveys/programme/<int:pk>/report/", views.programme_report_page, name="programme_report"),
    path("surveys/programme/<int:pk>/report.json", views.programme_report_json, name="programme_report_json"),
    path("surveys/<int:pk>/window/", views.survey_window, name="survey_window"),
    path("surveys/<int:pk>/outcomes/", views.survey_outcomes_add, name="survey_outcomes_add"),
    path("surveys/<int:pk>/send-links/", views.survey_send_links, name="survey_send_links"),
    path("surveys/<int:pk>/qr-sheet.pdf", views.survey_qr_sheet, name="survey_qr_sheet"),
    path("surveys/<int:pk>/paper-sheet.<str:fmt>", views.survey_paper_sheet, name="survey_paper_sheet"),
    path("surveys/<int:pk>/preview/", views.survey_preview, name="survey_preview"),
    path("surveys/<int:pk>/preview/<int:step>/", views.survey_preview_step, name="survey_preview_step"),
    path("surveys/force/", views.force_comparison, name="force_comparison"),
    path("surveys/force/export.<str:fmt>", views.force_export, name="force_export"),
    path("surveys/school/", views.contact_surveys, name="contact_surveys"),
]
