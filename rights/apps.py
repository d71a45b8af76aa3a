from django.apps import AppConfig
from django.db.models import Q


class RightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rights"
    verbose_name = "Data rights: subject access and legal requests"

    def ready(self):
        from pps.audit import hides_from_histories, shows_with_case

        shows_with_case(case_records)
        hides_from_histories(hidden_from)


def case_records(case) -> dict:
    """The requests about a case and what was made for them, for "Who has accessed this case"."""
    # apps.py loads before any model: models are imported when this runs, after start-up.
    from consent.models import SubjectAccessRequest
    from rights.models import AccessPack, LegalRequest, Redaction, RequestStep

    requests = list(SubjectAccessRequest.objects.filter(case=case).values_list("pk", flat=True))
    return {
        SubjectAccessRequest: requests,
        RequestStep: RequestStep.objects.filter(request__in=requests).values_list("pk", flat=True),
        Redaction: Redaction.objects.filter(case=case).values_list("pk", flat=True),
        AccessPack: AccessPack.objects.filter(case=case).values_list("pk", flat=True),
        LegalRequest: LegalRequest.objects.filter(case=case).values_list("pk", flat=True),
    }


def hidden_from(viewer) -> list:
    """A lead's decisions on child-protection files for a request are child-protection records
    (R6): no history shown to anyone but a designated lead lists them."""
    # apps.py loads before any model: models are imported when this runs, after start-up.
    from django.contrib.contenttypes.models import ContentType

    from rights.models import ChildProtectionDecision
    from safeguarding import access as safeguarding_access

    if safeguarding_access.may_see_child_protection_records(viewer):
        return []
    return [Q(content_type=ContentType.objects.get_for_model(ChildProtectionDecision))]
