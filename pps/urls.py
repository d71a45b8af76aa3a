from django.urls import include, path

from pps import (
    account,
    csp_reports,
    health,
    password_reset,
    policy_views,
    service_settings,
    sign_in,
    step_up,
    views,
)

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/code/", sign_in.second_factor, name="otp_verify"),
    path("sign-in/set-up/", sign_in.second_factor_setup, name="otp_setup"),
    path("sign-in/enrolment-code/", sign_in.enrolment_code, name="otp_enrol"),
    path("sign-in/backup-code/", account.sign_in_with_backup_code, name="otp_backup"),
    path("sign-in/locked/", sign_in.unlock_session, name="session_unlock"),
    path(
        "sign-in/forgotten-password/", password_reset.ForgottenPasswordView.as_view(), name="password_reset"
    ),
    path(
        "sign-in/forgotten-password/sent/", password_reset.LinkSentView.as_view(), name="password_reset_done"
    ),
    path("sign-in/new-password/", password_reset.NewPasswordView.as_view(), name="password_reset_confirm"),
    path(
        "sign-in/new-password/changed/",
        password_reset.PasswordChangedView.as_view(),
        name="password_reset_complete",
    ),
    path("confirm-it-is-you/", step_up.confirm_identity, name="step_up"),
    path("account/", account.account, name="account"),
    path("account/backup-codes/", account.make_backup_codes, name="backup_codes_make"),
    path("confidentiality-policy/", sign_in.agree_to_policy, name="policy_agree"),
    path("sign-out/", sign_in.sign_out, name="logout"),
    path("csp-report/", csp_reports.csp_report, name="csp_report"),
    path("healthz", health.healthz, name="healthz"),
    path("service/confidentiality-policy/", policy_views.policy_manage, name="policy_manage"),
    path("service/confidentiality-policy/reviewed/", policy_views.policy_reviewed, name="policy_reviewed"),
    path("service/settings/", service_settings.service_settings, name="service_settings"),
    path("manage/", views.manage, name="manage"),
    path("", include("cases.urls")),
    path("", include("consent.urls")),
    path("", include("safeguarding.urls")),
    path("", include("reports.urls")),
    path("", include("rights.urls")),
    path("", include("training.urls")),
    path("", include("staff.urls")),
    path("", include("documents.urls")),
    path("", include("imports.urls")),
]

handler404 = "pps.views.not_found"
handler500 = "pps.views.server_error"
handler403 = "pps.views.forbidden"
handler400 = "pps.views.bad_request"
