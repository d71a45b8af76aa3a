from django.apps import AppConfig


class ConsentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consent"

    def ready(self):
        from pps.audit import shows_with_case

        shows_with_case(case_records)


def case_records(case) -> dict:
    """What a case page shows of this app: the parent's consents and the case's disclosures
    (those on the basis of child protection are hidden from non-leads by ``safeguarding``)."""
    from consent.models import Consent, Disclosure

    return {
        Consent: Consent.objects.filter(parent_id=case.parent_id).values_list("pk", flat=True),
        Disclosure: Disclosure.objects.filter(case=case).values_list("pk", flat=True),
    }
