from django.apps import AppConfig


class PpsConfig(AppConfig):
    name = "pps"
    verbose_name = "Parent Partnership casework"

    def ready(self):
        from pps import auth_log, checks, request_scope, session_limits  # noqa: F401  (checks registers itself)

        auth_log.connect()
        request_scope.connect()
        session_limits.connect()
