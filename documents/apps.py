from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "Documents and letters"

    def ready(self):
        from cases.case_page import registers_case_records
        from cases.destruction import register_household_destroyed
        from cases.timeline import register_case_links, registers_timeline_entries
        from documents import access, models, services, views
        from pps import menu
        from pps.audit import shows_with_case

        shows_with_case(case_records)
        menu.manages(
            "Letters",
            "documents:letter_templates",
            "The letter templates caseworkers fill in from a case.",
            shown_to=access.may_edit_letter_templates,
            pages=("documents:letter_template",),
            order=40,
        )
        registers_timeline_entries(views.timeline_entries)
        registers_case_records("documents", lambda user: models.Document.objects.on_reached_case(user))
        register_case_links(views.case_links)
        register_household_destroyed(services.delete_household_files)


def case_records(case) -> dict:
    """The case's documents, for "Who has accessed this case"."""
    # apps.py loads before any model: models are imported when this runs, after start-up.
    from documents.models import Document

    return {Document: Document.objects.filter(case=case).values_list("pk", flat=True)}
