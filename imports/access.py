"""Who may import records, and who reaches an import.

The getter raises ``Http404`` for an import that does not exist and for one that is not yours,
and records exactly one ACCESS entry for the import it returns. Models import this module for
their querysets, so it names them through the app registry.
"""

from django.apps import apps
from django.http import Http404

from pps.access import RestrictedQuerySet, get_or_404
from pps.audit import record_access
from pps.models import Role


def _active(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and getattr(user, "service_id", None)
    )


def may_import(user) -> bool:
    """Who brings a service's existing records in:

    - the active head of service;
    - an active system maintainer of the service, who sees column headers, counts and row
      numbers only, never a cell's value (``sees_cell_values``).
    Nobody else (senior managers, caseworkers, volunteers, coordinators, other services)."""
    return _active(user) and user.role in {Role.HEAD_OF_SERVICE, Role.MAINTAINER}


def sees_cell_values(user) -> bool:
    """Whether the first rows of an uploaded file are shown: to the head of service only. A
    maintainer reads no case content (R9), so maps columns by their headers alone."""
    return _active(user) and user.role == Role.HEAD_OF_SERVICE


def require_importer(user) -> None:
    if not may_import(user):
        raise Http404


class ImportRunQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The imports ``user`` may reach.

        - Only people who may import (``may_import``), and only their own service's imports.
        - The head of service reaches every import of the service.
        - A maintainer reaches the imports they uploaded.
        """
        if not may_import(user):
            return self.none()
        queryset = self.filter(service_id=user.service_id)
        if user.role == Role.HEAD_OF_SERVICE:
            return queryset
        return queryset.filter(uploaded_by=user)


def get_import_for_user(user, import_id, *, how: str = "import page"):
    """The import ``import_id`` if ``user`` may reach it (see above), else 404. Recorded."""
    runs = apps.get_model("imports", "ImportRun").objects.visible_to(user)
    run = get_or_404(runs.select_related("source", "uploaded_by"), import_id)
    record_access(user, [run], how=how)
    return run
