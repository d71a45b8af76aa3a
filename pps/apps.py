from django.apps import AppConfig


class PpsConfig(AppConfig):
    name = "pps"
    verbose_name = "Parent Partnership casework"

    def ready(self):
        from pps import access, auth_log, checks, menu, request_scope, services, session_limits  # noqa: F401  (checks registers itself)

        menu.manages(
            "Confidentiality policy",
            "policy_manage",
            "Who has agreed to the current version, its yearly review, and publishing a new version.",
            shown_to=access.may_publish_policy,
            order=60,
        )
        menu.manages(
            "Service settings",
            "service_settings",
            "The office's number and address, consent renewal, retention, calls with no name, the "
            "statement of why we keep details, the idle lock, corrections and documents.",
            shown_to=access.may_change_service_settings,
            order=70,
        )
        auth_log.connect()
        request_scope.connect()
        session_limits.connect()
        services.connect()
