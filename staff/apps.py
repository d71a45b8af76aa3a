from django.apps import AppConfig


class StaffConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "staff"
    verbose_name = "Staff accounts"

    def ready(self):
        from pps import menu
        from staff import access

        menu.manages(
            "Staff accounts",
            "staff:staff_accounts",
            "Add a member of staff, change a role, reset a lost authenticator app, close a leaver's account.",
            shown_to=access.may_manage_accounts,
            pages=("staff:staff_account",),
            order=20,
        )
