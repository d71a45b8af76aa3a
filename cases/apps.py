from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"

    def ready(self):
        from pps.audit import shows_with_case

        shows_with_case(case_records)


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
