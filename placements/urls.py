from django.urls import path

from . import views, week_views

app_name = "placements"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    # Week plan
    path("<int:pk>/syndicates/", week_views.syndicates, name="syndicates"),
    path("<int:pk>/syndicates/build/", week_views.syndicates_build, name="syndicates_build"),
    path("<int:pk>/syndicates/move/", week_views.placement_move, name="placement_move"),
    path("<int:pk>/syndicates/<int:syndicate_pk>/", week_views.syndicate_update, name="syndicate_update"),
    path("<int:pk>/activities/", week_views.activities, name="activities"),
    path("<int:pk>/timetable/", week_views.timetable, name="timetable"),
    path("<int:pk>/timetable/generate/", week_views.timetable_generate, name="timetable_generate"),
    path("<int:pk>/timetable/syndicates/<int:syndicate_pk>/", week_views.syndicate_schedule, name="syndicate_schedule"),
    path("<int:pk>/timetable/departments/", week_views.department_schedule, name="department_schedule"),
    path("<int:pk>/timetable/run-sheet.pdf", week_views.run_sheet, name="run_sheet"),
    path("<int:pk>/sessions/<int:session_pk>/swap/", week_views.session_swap, name="session_swap"),
    # Attendance
    path("<int:pk>/attendance/", week_views.attendance, name="attendance"),
    path("register/<int:syndicate_pk>/", week_views.register, name="register"),
    # Budget
    path("<int:pk>/budget/", week_views.budget, name="budget"),
    path("<int:pk>/budget.csv", week_views.budget_csv, name="budget_csv"),
]
