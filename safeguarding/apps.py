from django.apps import AppConfig
from django.db.models import Q


class SafeguardingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding"

    def ready(self):
        from cases.case_page import registers_case_records
        from cases.retention import holds_household, retention_step
        from pps.audit import hides_from_histories, shows_with_case
        from safeguarding import retention
        from safeguarding.models import Concern

        shows_with_case(case_records)
        hides_from_histories(hidden_from)
        holds_household(retention.open_concern_holds_household)
        retention_step(retention.STEP)
        # What a case page marks of child protection, asked with the case's other records.
        registers_case_records("concerns", lambda user: Concern.objects.marked_on_case_page(user))


def case_records(case) -> dict:
    """The case's child-protection records, for the histories of those who may see them."""
    # apps.py loads before any model: models are imported when this runs, after start-up.
    from safeguarding.models import BreakGlassAccess, Concern, Discussion, ExternalReferral

    concerns = list(Concern.objects.filter(case=case).values_list("pk", flat=True))
    return {
        Concern: concerns,
        Discussion: Discussion.objects.filter(concern__in=concerns).values_list("pk", flat=True),
        ExternalReferral: ExternalReferral.objects.filter(concern__in=concerns).values_list("pk", flat=True),
        BreakGlassAccess: BreakGlassAccess.objects.filter(case=case).values_list("pk", flat=True),
    }


def hidden_from(viewer) -> list:
    """What no access history may show anyone but a designated lead (R6): child-protection
    records, disclosures made on the basis of child protection, and every entry written by a
    child-protection page or decision (``pps.audit.record_access(..., child_protection=True)``)."""
    # apps.py loads before any model: models are imported when this runs, after start-up.
    from django.contrib.contenttypes.models import ContentType

    from consent.models import Disclosure
    from pps.audit import child_protection_activity
    from safeguarding import access as safeguarding_access

    if safeguarding_access.may_see_child_protection_records(viewer):
        return []
    referrals = Disclosure.objects.filter(
        basis=Disclosure.Basis.CHILD_PROTECTION, case__service_id=viewer.service_id
    ).values_list("pk", flat=True)
    return [
        Q(content_type__app_label="safeguarding"),
        Q(
            content_type=ContentType.objects.get_for_model(Disclosure),
            object_pk__in=[str(pk) for pk in referrals],
        ),
        child_protection_activity(),
    ]
