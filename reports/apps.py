from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Statistics"

    def ready(self):
        # Counts kept in the same transaction as the contacts and cases they count (R15).
        from reports import summaries

        summaries.register()
