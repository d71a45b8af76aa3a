"""Who reaches a case's documents and the service's letter templates.

Getters raise ``Http404`` for a record that does not exist and for one that is not yours, and
record exactly one ACCESS entry for the record they return. Models import this module for their
querysets, so it names them through the app registry.
"""

from django.apps import apps
from django.http import Http404

from cases.models import Case
from pps.access import RestrictedQuerySet, get_or_404
from pps.audit import record_access
from pps.models import SENIOR_ROLES


class DocumentQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The documents ``user`` may reach: exactly those of the cases ``user`` may reach.

        - The caseworkers and volunteers on the case, and the senior staff of its service.
        - Nobody reaches a document of another service, or of a destroyed household.
        - Coordinators, maintainers and superusers as such reach none.
        """
        return self.filter(case__in=Case.objects.visible_to(user)).on_reached_case(user)

    def on_reached_case(self, user):
        """Of the documents of a case ``user`` reaches, those ``user`` may see: all of them."""
        return self


def get_document_for_user(user, document_id, *, how: str = "document"):
    """The document ``document_id`` if ``user`` may reach it (see above), else 404. Recorded."""
    document = get_or_404(
        apps.get_model("documents", "Document")
        .objects.visible_to(user)
        .select_related("case", "case__parent", "case__service", "added_by"),
        document_id,
    )
    document.use_household_key(document.case.household_key())
    record_access(user, [document], how=how)
    return document


def may_edit_letter_templates(user) -> bool:
    """Who edits the service's letter templates: its active senior managers and head of service."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "service_id", None)
        and user.role in SENIOR_ROLES
    )


def get_letter_template_for_user(user, template_id, *, editing: bool = False):
    """A letter template of ``user``'s own service (for editing: senior staff only), else 404.
    Templates hold nothing personal; opening one to edit is recorded all the same."""
    if editing and not may_edit_letter_templates(user):
        raise Http404
    if not getattr(user, "service_id", None):
        raise Http404
    templates = apps.get_model("documents", "LetterTemplate").objects.filter(service_id=user.service_id)
    template = get_or_404(templates, template_id)
    if editing:
        record_access(user, [template], how="letter template")
    return template
