from django.urls import path

from cases import caseload_views, correction_views, views

app_name = "cases"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("contacts/new/", views.log_contact, name="contact_log"),
    path("contacts/<uuid:contact_id>/follow-up-done/", views.follow_up_done, name="follow_up_done"),
    path("contacts/<uuid:contact_id>/follow-up-undo/", views.follow_up_undo, name="follow_up_undo"),
    path("contacts/<uuid:contact_id>/correct/", correction_views.contact_correct, name="contact_correct"),
    path("contacts/<uuid:contact_id>/move/", correction_views.contact_move, name="contact_move"),
    path("parents/", views.parent_search, name="parent_search"),
    path("parents/results/<str:key>/", views.parent_search_results, name="parent_search_results"),
    path("parents/new/", views.parent_new, name="parent_new"),
    path("parents/<uuid:parent_id>/", views.parent_detail, name="parent_detail"),
    path("parents/<uuid:parent_id>/edit/", views.parent_edit, name="parent_edit"),
    path("parents/<uuid:parent_id>/children/new/", views.child_add, name="child_add"),
    path("parents/<uuid:parent_id>/cases/new/", views.case_open, name="case_open"),
    path("children/<uuid:child_id>/edit/", views.child_edit, name="child_edit"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:case_id>/timeline/", views.case_timeline, name="case_timeline"),
    path("cases/<uuid:case_id>/contacts/new/", views.case_contact_log, name="case_contact_log"),
    path("cases/<uuid:case_id>/close/", views.case_close, name="case_close"),
    path("cases/<uuid:case_id>/reopen/", views.case_reopen, name="case_reopen"),
    path("cases/<uuid:case_id>/codes/", views.case_codes, name="case_codes"),
    path("cases/<uuid:case_id>/staff/", views.case_assign, name="case_assign"),
    path("cases/<uuid:case_id>/staff/<uuid:user_id>/remove/", views.case_unassign, name="case_unassign"),
    path("cases/<uuid:case_id>/separated-parent/", views.case_link, name="case_link"),
    path("cases/<uuid:case_id>/access-log/", views.case_access_log, name="case_access_log"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<uuid:user_id>/access-log/", views.staff_access_log, name="staff_access_log"),
    path("service/lists/", views.reference_data, name="reference_data"),
    path("caseloads/", caseload_views.caseload_overview, name="caseloads"),
    path("caseloads/<uuid:member_id>/", caseload_views.caseload_member, name="caseload_member"),
    path("caseloads/allocate/<uuid:case_id>/", caseload_views.caseload_allocate, name="caseload_allocate"),
]
