from django.apps import AppConfig


class ConsentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consent"

    def ready(self):
        from cases.case_page import registers_case_page_section, registers_case_records
        from cases.keep_details import registers_keep_details
        from consent import models, queries, services
        from consent.forms import ConsentToKeepDetailsForm
        from pps.audit import shows_with_case

        shows_with_case(case_records)
        registers_case_page_section(queries.case_page_section)
        registers_case_records("consents", lambda user: models.Consent.objects.on_reached_case(user))
        registers_case_records("disclosures", lambda user: models.Disclosure.objects.on_reached_case(user))
        registers_case_records("statements", lambda user: models.StatementSent.objects.on_reached_case(user))
        registers_keep_details(
            form=ConsentToKeepDetailsForm,
            record_many=services.record_consents_to_keep_details,
        )


def case_records(case) -> dict:
    """What a case page shows of this app: the parent's consents and the case's disclosures
    (those on the basis of child protection are hidden from non-leads by ``safeguarding``)."""
    # apps.py loads before any model: models are imported when this runs, after start-up.
    from consent.models import Consent, Disclosure

    return {
        Consent: Consent.objects.filter(parent_id=case.parent_id).values_list("pk", flat=True),
        Disclosure: Disclosure.objects.filter(case=case).values_list("pk", flat=True),
    }
