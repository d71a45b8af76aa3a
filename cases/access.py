"""Who may reach parents, children, cases and contacts, and who may be put on a case (R3, R5, R7).

Each rule is the ``visible_to`` of its record's queryset; someone who may not reach a record gets
``Http404``, exactly as for a record that does not exist. The getters record one ACCESS entry.
Models import this module for their querysets, so it names them through the app registry.
"""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from pps import request_scope
from pps.access import RestrictedQuerySet, active_staff, get_or_404, get_visible_or_404, require_reach
from pps.audit import record_access
from pps.models import CASE_ROLES, SENIOR_ROLES, User

#: What being assigned to a case grants.
CASE_PERMISSIONS = ("cases.view_case", "cases.change_case")


def _model(name):
    return apps.get_model("cases", name)


class CaseQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The cases ``user`` may reach.

        - Nobody without an active staff account in a service reaches any case.
        - Nobody reaches a case of another service.
        - Senior managers and the head of service reach every case of their service.
        - Caseworkers and volunteers reach the cases they are assigned to (object permission),
          directly or through a group; model-wide permissions grant nothing.
        - Coordinators and maintainers reach no case; neither does a superuser as such.
        - Nobody reaches the case of a destroyed household (its data key gone).
        """
        if not active_staff(user):
            return self.none()
        queryset = self.exclude(status="destroyed")
        if user.role in SENIOR_ROLES:
            return queryset.filter(service_id=user.service_id)
        if user.role in CASE_ROLES:
            # The ids (of the user's own service only) are read first, in one indexed query: as
            # a subquery beside a service filter, SQLite would scan all the service's cases.
            return queryset.filter(pk__in=assigned_case_ids(user))
        return self.none()

    def visible_for_one(self, user):
        """The same rule, for one case by its id: a caseworker's or volunteer's permission rows
        of that case are asked in the same query, rather than every case id they reach read
        first (``assigned_case_ids``, which lists need)."""
        if not (active_staff(user) and user.role in CASE_ROLES):
            return self.visible_to(user)
        # The service is said of the case itself: the rows need not be joined to their cases.
        direct, through_groups = _view_case_grants(user, of_service=False)
        return self.exclude(status="destroyed").filter(
            Q(Exists(direct.filter(content_object=OuterRef("pk"))))
            | Q(Exists(through_groups.filter(content_object=OuterRef("pk")))),
            service_id=user.service_id,
        )

    def open(self):
        return self.filter(status="open")


def assigned_case_ids(user) -> set:
    """Ids of the cases of ``user``'s service that ``user`` holds the object permission
    ``view_case`` on, directly or through a group, read from guardian's direct foreign-key tables.

    It asks the same as ``get_objects_for_user(user, "cases.view_case", accept_global_perms=False,
    with_superuser=False)``, but that builds ``REPLACE(content_object_id, '-', '')`` for UUID keys,
    which no index can serve: a list page cost ten times more with 100,000 cases.
    """

    def read():
        direct, through_groups = _view_case_grants(user)
        ids = direct.values_list("content_object_id", flat=True).union(
            through_groups.values_list("content_object_id", flat=True)
        )
        return frozenset(ids)

    # Read once per request (``pps.request_scope``); forgotten when a case permission changes.
    return set(request_scope.remembered(("assigned_case_ids", user.pk), read))


def _view_case_grants(user, *, of_service: bool = True):
    """The rows of guardian's tables that give ``user`` ``view_case`` on a case of their service
    (on any case, if not ``of_service``: the caller then says the case's service itself): their
    own, and their groups'."""
    view_case = {"permission_id": view_case_permission_id()}
    if of_service:
        view_case["content_object__service_id"] = user.service_id
    return (
        _model("CaseUserObjectPermission").objects.filter(user=user, **view_case),
        _model("CaseGroupObjectPermission").objects.filter(group__user=user, **view_case),
    )


#: The id of the permission ``cases.view_case``, read once a process (forgotten after migrations,
#: which may make it again): the reach is then asked of guardian's tables without joining the
#: permission and content-type tables at every request.
_PERMISSION_IDS: dict = {}


def view_case_permission_id() -> int:
    if "view_case" not in _PERMISSION_IDS:
        permission = apps.get_model("auth", "Permission").objects.get(
            codename="view_case", content_type__app_label="cases"
        )
        _PERMISSION_IDS["view_case"] = permission.pk
    return _PERMISSION_IDS["view_case"]


def forget_permission_ids(**kwargs) -> None:
    """After migrations (and a test database's flush): the permissions may have new ids."""
    _PERMISSION_IDS.clear()


class ParentQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The parents ``user`` may reach: those with at least one case ``user`` may reach.

        - Senior managers and the head of service reach every parent of their service.
        - A destroyed household (its data key gone) is reached by nobody.
        """
        if not active_staff(user):
            return self.none()
        queryset = self.filter(service_id=user.service_id).exclude(data_key="")
        if user.role in SENIOR_ROLES:
            return queryset
        return queryset.filter(cases__in=_model("Case").objects.visible_to(user)).distinct()


class ChildQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The children ``user`` may reach: exactly those of a parent ``user`` may reach."""
        return self.filter(parent__in=_model("Parent").objects.visible_to(user))


class ContactQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The contacts ``user`` may reach.

        - Contacts on a case: exactly when the case is reachable.
        - NNG contacts hold nothing personal: any caseworker, volunteer or senior of the service.
        - Coordinators and maintainers reach none.
        """
        if not active_staff(user) or not (user.role in CASE_ROLES or user.role in SENIOR_ROLES):
            return self.none()
        queryset = self.filter(service_id=user.service_id)
        if user.role in SENIOR_ROLES:
            # Every case of their service but a destroyed household's (a contact is always of
            # its case's service): said of the case joined, not as a subquery listing each of
            # the service's cases, which a large county would read at every dashboard.
            return queryset.filter(Q(case__isnull=True) | ~Q(case__status="destroyed"))
        return queryset.filter(Q(case__isnull=True) | Q(case__in=_model("Case").objects.visible_to(user)))


def get_case_for_user(
    user, case_id, *, how: str = "case page", child_protection: bool = False, annotate=None
):
    """The case ``case_id`` if ``user`` may reach it, else 404. Recorded (``child_protection``
    marks a read by a child-protection page; ``annotate``: more to read in the same query, as
    ``cases.case_page.record_kinds``)."""
    cases = _model("Case").objects.select_related("parent").annotate(**(annotate or {}))
    case = get_visible_or_404(user, cases, case_id, how=how, child_protection=child_protection)
    # A case anyone reaches is of their own service, which was read with them (``pps.signed_in``):
    # not joined again (a join and twenty columns fewer: about 0.3 ms of the getter's 7).
    if case.service_id == user.service_id and User.service.is_cached(user):
        case.service = user.service
    # The request now knows that ``user`` reaches it (``require_case``), until a permission changes.
    request_scope.remembered(("assigned_case_ids", "reached", user.pk, case.pk), lambda: True)
    return case


def require_case(user, case) -> None:
    """404 unless ``user`` may reach ``case``. Records nothing (see ``require_reach``).

    A case the request has fetched is checked against what the request knows already (the
    case's service and status, the person's role and the reach read once, ``assigned_case_ids``):
    the same rules as ``CaseQuerySet.visible_to``, without asking the database again. Anything
    else (no case, a case that seems out of reach) is asked of the database, whose answer stands."""
    if case is not None and _reaches_as_fetched(user, case):
        return
    require_reach(_model("Case").objects.visible_to(user), case)


def records_on_case(records, user, case, *, case_field: str = "case"):
    """The records of ``records`` (a manager or queryset with ``visible_to`` and
    ``on_reached_case``, as consents and documents have) on ``case`` that ``user`` may see:
    ``records.visible_to(user).filter(case=case)``. When the request has fetched ``case`` and
    knows ``user`` reaches it (``require_case``'s answer from memory), the reach is not asked of
    the database again: only what ``user`` may see of a case they reach (``on_reached_case``,
    which ``visible_to`` applies as well)."""
    on_case = {case_field: case}
    if case is not None and _reaches_as_fetched(user, case):
        return records.filter(**on_case).on_reached_case(user)
    return records.visible_to(user).filter(**on_case)


def _reaches_as_fetched(user, case) -> bool:
    """``CaseQuerySet.visible_to``'s rules applied to ``case`` as it was read (True only when
    they let ``user`` reach it; ``tests/cases/test_access.py`` holds the two to the same answers)."""
    if not active_staff(user) or case.service_id != user.service_id or case.status == "destroyed":
        return False
    if user.role in SENIOR_ROLES:
        return True
    if user.role not in CASE_ROLES:
        return False
    return request_scope.recalls(("assigned_case_ids", "reached", user.pk, case.pk)) or (
        case.pk in assigned_case_ids(user)
    )


def get_parent_for_user(user, parent_id, *, how: str = "parent page"):
    """The parent ``parent_id`` if ``user`` may reach them, else 404. Recorded."""
    return get_visible_or_404(user, _model("Parent").objects.all(), parent_id, how=how)


def get_child_for_user(user, child_id, *, how: str = "child"):
    """The child ``child_id`` if ``user`` may reach their parent, else 404. Recorded."""
    return get_visible_or_404(user, _model("Child").objects.select_related("parent"), child_id, how=how)


def get_contact_for_user(user, contact_id, *, how: str = "contact"):
    """The contact ``contact_id`` if ``user`` may reach it, else 404. Recorded."""
    return get_visible_or_404(user, _model("Contact").objects.all(), contact_id, how=how)


def assign_to_case(user, case) -> None:
    """Give ``user`` the reach that working on ``case`` needs."""
    for permission in CASE_PERMISSIONS:
        assign_perm(permission, user, case)


def assign_to_cases(user, cases: list) -> None:
    """``assign_to_case`` for many cases saved together: a statement or two per permission."""
    if cases:
        for permission in CASE_PERMISSIONS:
            assign_perm(permission, user, list(cases))


def unassign_from_case(user, case) -> None:
    for permission in CASE_PERMISSIONS:
        remove_perm(permission, user, case)


def staff_on_case(case):
    """The staff assigned to ``case`` (directly), for display and checks."""
    return staff_on_case_queryset([case])


def staff_on_case_queryset(cases):
    """The staff assigned directly to any of ``cases``."""
    return (
        User.objects.filter(
            caseuserobjectpermission__content_object__in=cases,
            caseuserobjectpermission__permission__codename="view_case",
        )
        .defer("password")
        .distinct()
    )


def separated_parent_cases(case):
    """The cases linked to ``case`` as the other separated parent of the same child (R5)."""
    links = _model("SeparatedParentsLink").objects.filter(Q(first=case) | Q(second=case))
    ids = {link.first_id for link in links} | {link.second_id for link in links}
    ids.discard(case.pk)
    return _model("Case").objects.filter(pk__in=ids)


def staff_on_other_parents_case(case):
    """Active caseworkers and volunteers who work on a linked case of the other separated parent,
    and so may not be put on ``case`` (R5)."""
    on_other_parent = staff_on_case_queryset(separated_parent_cases(case))
    return User.objects.filter(
        pk__in=on_other_parent, service_id=case.service_id, is_active=True, role__in=CASE_ROLES
    ).order_by("first_name", "last_name")


def assignable_staff(case):
    """Who may be put on ``case``: active caseworkers and volunteers of its service.

    - Staff already on a linked case of the other separated parent are excluded (R5).
    """
    on_other_parent = staff_on_case_queryset(separated_parent_cases(case))
    return (
        User.objects.filter(service_id=case.service_id, is_active=True, role__in=CASE_ROLES)
        .exclude(pk__in=on_other_parent)
        .exclude(pk__in=staff_on_case(case))
        .order_by("first_name", "last_name")
    )


#: How long after it was logged a call with no name given may still become the first contact
#: on the parent's case: the rest of the working day of the call, not weeks later.
CALL_CARRIED_FOR = timezone.timedelta(hours=12)


def calls_to_carry(user):
    """The NNG contacts ``user`` may carry onto a parent's case:

    - only contacts ``user`` may reach (``Contact.objects.visible_to``);
    - still NNG (not yet on a case);
    - logged by ``user`` themselves: the call they are on, not a colleague's;
    - logged within the last ``CALL_CARRIED_FOR``.
    """
    since = timezone.now() - CALL_CARRIED_FOR
    return (
        _model("Contact")
        .objects.visible_to(user)
        .filter(case__isnull=True, logged_by=user, logged_at__gte=since)
    )


def get_call_to_carry(user, contact_id, *, how: str = "carry call to case"):
    """The NNG contact ``contact_id`` if ``user`` may carry it (see ``calls_to_carry``), else 404.
    The read is recorded."""
    contact = get_or_404(calls_to_carry(user).prefetch_related("topics"), contact_id)
    record_access(user, [contact], how=how)
    return contact
