from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = "Import records"

    def ready(self):
        from imports import access
        from pps import menu

        menu.manages(
            "Import records",
            "imports:import_list",
            "Bring in the parents, children, cases and contacts of an earlier system or spreadsheet.",
            shown_to=access.may_import,
            pages=("imports:import_",),
            order=50,
        )
