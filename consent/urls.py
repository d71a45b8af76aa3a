from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("cases/<uuid:case_id>/consents/new/", views.consent_record, name="consent_record"),
    path("consents/<uuid:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("cases/<uuid:case_id>/disclosures/new/", views.disclosure_record, name="disclosure_record"),
    path("cases/<uuid:case_id>/permission-form/", views.permission_form, name="permission_form"),
    path(
        "cases/<uuid:case_id>/permission-form/given/",
        views.statement_sent_record,
        name="statement_sent_record",
    ),
    path(
        "cases/<uuid:case_id>/other-parent-request/", views.other_parent_request, name="other_parent_request"
    ),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<uuid:referral_id>/agreed/", views.referral_agree, name="referral_agree"),
    path("referrals/<uuid:referral_id>/close/", views.referral_close, name="referral_close"),
    path("referrals/<uuid:referral_id>/take-on/", views.referral_convert, name="referral_convert"),
    path("subject-access-requests/", views.subject_access_request_list, name="subject_access_request_list"),
]
