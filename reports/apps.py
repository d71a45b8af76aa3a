from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Statistics"

    def ready(self):
        from pps.landing import lands_on
        from reports.access import may_see_statistics

        lands_on(may_see_statistics, "reports:statistics")

        # Counts kept in the same transaction as the contacts and cases they count (R15).
        from reports import summaries

        summaries.register()
