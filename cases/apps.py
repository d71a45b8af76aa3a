from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"

    def ready(self):
        from django.db.models.signals import post_migrate

        from cases import access, models
        from cases.case_page import registers_case_records
        from pps import menu
        from pps.audit import shows_with_case

        shows_with_case(case_records)
        post_migrate.connect(access.forget_permission_ids, dispatch_uid="cases_forget_permission_ids")
        # The corrections of a case's contacts, read by a case page only when there are some.
        registers_case_records(
            "corrections", lambda user: models.Correction.objects.all(), case_field="contact__case"
        )  # every correction of a case's contact is shown to whoever reaches the case
        senior = lambda user: user.is_senior  # noqa: E731
        menu.manages(
            "Staff",
            "cases:staff_list",
            "Who works here, their roles and access histories, and the designated safeguarding leads.",
            shown_to=senior,
            pages=("cases:staff_",),
            order=10,
        )
        menu.manages(
            "Lists",
            "cases:reference_data",
            "The topics and outcomes caseworkers choose from when they log a contact.",
            shown_to=senior,
            order=30,
        )


def case_records(case) -> dict:
    """What a case page shows of this app, for "Who has accessed this case": the case, its
    parent, the parent's children, and the case's contacts and events."""
    # apps.py loads before any model: models are imported when this runs, after start-up.
    from cases.models import Case, CaseEvent, Child, Contact, Parent

    return {
        Case: [case.pk],
        Parent: [case.parent_id],
        Child: Child.objects.filter(parent_id=case.parent_id).values_list("pk", flat=True),
        Contact: case.contacts.values_list("pk", flat=True),
        CaseEvent: case.events.values_list("pk", flat=True),
    }
