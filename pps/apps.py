from django.apps import AppConfig


class PpsConfig(AppConfig):
    name = "pps"
    verbose_name = "Parent Partnership casework"

    def ready(self):
        from pps import auth_log, checks, session_limits  # noqa: F401  (checks registers itself)

        auth_log.connect()
        session_limits.connect()
