from django.urls import path

from safeguarding import views

app_name = "safeguarding"

urlpatterns = [
    path("safeguarding/", views.concern_queue, name="concern_queue"),
    path("safeguarding/closed/", views.closed_concerns, name="closed_concerns"),
    path("cases/<uuid:case_id>/concerns/new/", views.concern_raise, name="concern_raise"),
    path("concerns/new/", views.concern_raise_without_case, name="concern_raise_without_case"),
    path("concerns/<uuid:concern_id>/receipt/", views.concern_receipt, name="concern_receipt"),
    path("safeguarding/concerns/<uuid:concern_id>/", views.concern_detail, name="concern_detail"),
    path(
        "safeguarding/concerns/<uuid:concern_id>/discussion/",
        views.discussion_record,
        name="discussion_record",
    ),
    path("safeguarding/concerns/<uuid:concern_id>/referral/", views.referral_record, name="referral_record"),
    path("safeguarding/concerns/<uuid:concern_id>/close/", views.concern_close, name="concern_close"),
    path("staff/<uuid:user_id>/safeguarding-lead/", views.lead_designation, name="lead_designation"),
    path(
        "staff/safeguarding-lead/<uuid:designation_id>/decision/",
        views.designation_decide,
        name="designation_decide",
    ),
    path(
        "safeguarding/designations/<uuid:designation_id>/reviewed/",
        views.designation_review,
        name="designation_review",
    ),
    path("safeguarding/alerts/seen/", views.alerts_seen, name="alerts_seen"),
    path("cases/<uuid:case_id>/child-protection/", views.case_file, name="case_file"),
    path("cases/<uuid:case_id>/child-protection/break-glass/", views.break_glass, name="break_glass"),
    path(
        "safeguarding/break-glass/<uuid:opening_id>/reviewed/",
        views.break_glass_review,
        name="break_glass_review",
    ),
]
