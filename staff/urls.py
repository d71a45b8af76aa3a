from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("staff/accounts/", views.account_list, name="staff_accounts"),
    path("staff/accounts/new/", views.account_new, name="staff_account_new"),
    path("staff/accounts/<uuid:member_id>/", views.account_detail, name="staff_account"),
    path("staff/accounts/<uuid:member_id>/details/", views.account_details, name="staff_account_details"),
    path("staff/accounts/<uuid:member_id>/role/", views.account_role, name="staff_account_role"),
    path("staff/accounts/<uuid:member_id>/authenticator/", views.account_reset, name="staff_account_reset"),
    path("staff/accounts/<uuid:member_id>/close/", views.account_close, name="staff_account_close"),
    path("staff/accounts/<uuid:member_id>/set-up-link/", views.account_link, name="staff_account_link"),
    path("sign-in/set-up-account/", views.SetUpView.as_view(), name="account_set_up"),
    path("sign-in/set-up-account/done/", views.set_up_done, name="account_set_up_done"),
]
