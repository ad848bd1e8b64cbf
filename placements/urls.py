from django.urls import include, path

from . import views

app_name = "placements"

programme_patterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_create, name="programme_create"),
    path("copy/", views.programme_copy_choose, name="programme_copy_choose"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:pk>/copy/", views.programme_copy, name="programme_copy"),
    path("<int:pk>/cancel/", views.programme_cancel, name="programme_cancel"),
    # Week plan
    path("<int:pk>/syndicates/", views.syndicates, name="syndicates"),
    path("<int:pk>/syndicates/build/", views.syndicates_build, name="syndicates_build"),
    path("<int:pk>/syndicates/move/", views.placement_move, name="placement_move"),
    path("<int:pk>/syndicates/<int:syndicate_pk>/", views.syndicate_update, name="syndicate_update"),
    path("<int:pk>/activities/", views.activities, name="activities"),
    path("<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("<int:pk>/activities/<int:activity_pk>/", views.activity_edit, name="activity_edit"),
    path("<int:pk>/activities/<int:activity_pk>/in-use/", views.activity_in_use, name="activity_in_use"),
    path(
        "<int:pk>/activities/unavailable/<int:unavailability_pk>/remove/",
        views.unavailability_remove,
        name="unavailability_remove",
    ),
    path("<int:pk>/timetable/", views.timetable, name="timetable"),
    path("<int:pk>/timetable/generate/", views.timetable_generate, name="timetable_generate"),
    path("<int:pk>/timetable/syndicates/<int:syndicate_pk>/", views.syndicate_schedule, name="syndicate_schedule"),
    path("<int:pk>/timetable/departments/", views.department_schedule, name="department_schedule"),
    path("<int:pk>/timetable/run-sheet.pdf", views.run_sheet, name="run_sheet"),
    path("<int:pk>/sessions/<int:session_pk>/swap/", views.session_swap, name="session_swap"),
    # Attendance
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("register/<int:syndicate_pk>/", views.register, name="register"),
    # Budget
    path("<int:pk>/budget/", views.budget, name="budget"),
    path("<int:pk>/budget.csv", views.budget_csv, name="budget_csv"),
    path("<int:pk>/budget/lines/<int:line_pk>/", views.budget_line_edit, name="budget_line_edit"),
    path("<int:pk>/budget/lines/<int:line_pk>/delete/", views.budget_line_delete, name="budget_line_delete"),
]

people_patterns = [
    path("", views.people, name="people"),
    path("new/", views.person_create, name="person_create"),
    path("<int:person_pk>/", views.person_edit, name="person_edit"),
    path("<int:person_pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("<int:person_pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("<int:person_pk>/invite/", views.person_invite, name="person_invite"),
    path("departments/", views.departments, name="departments"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:department_pk>/", views.department_edit, name="department_edit"),
]

# A force person's emailed invitation to sign in (no account needed to open it).
join_patterns = [
    path("accept/", views.person_invitation_accept, name="person_invitation_accept"),
    path("<str:token>/", views.person_invitation_open, name="person_invitation_open"),
]

# Mounted at the site root: the lead's start page keeps its short address.
urlpatterns = [
    path("programmes/", include(programme_patterns)),
    path("people/", include(people_patterns)),
    path("join/", include(join_patterns)),
    path("syndicate/", views.lead_home, name="lead_home"),
]
