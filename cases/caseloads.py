"""Caseloads: open cases per caseworker or volunteer, and open cases with nobody on them, for
senior staff to see and allocate (internal management figures: they name staff and, in the
lists, parents; never exported, never suppressed).

Counts are read from guardian's direct permission table (who holds ``view_case`` on which open
case), in one grouped query; the lists go through ``pps.access`` like every other list.
"""

from django.db.models import Count, Exists, OuterRef

from cases.models import Case, CaseUserObjectPermission, SeparatedParentsLink
from pps.models import CASE_ROLES, User

#: At most this many unallocated cases are listed at once (oldest first).
UNALLOCATED_SHOWN = 50


def _open_cases(service_id):
    return Case.objects.filter(service_id=service_id, status=Case.Status.OPEN)


def _assignments(cases):
    """Who is on which of ``cases``: active accounts only (a closed account reaches nothing)."""
    return CaseUserObjectPermission.objects.filter(
        permission__codename="view_case", content_object__in=cases, user__is_active=True
    )


def caseworkers(service_id):
    """The active caseworkers and volunteers of a service, by name."""
    return User.objects.filter(service_id=service_id, role__in=CASE_ROLES, is_active=True).order_by(
        "first_name", "last_name"
    )


def figures(service_id) -> dict:
    """``caseloads``: (member, open cases) for every active caseworker and volunteer, most first;
    ``unallocated``: how many open cases have nobody on them; ``open``: all open cases."""
    open_cases = _open_cases(service_id)
    loads = dict(
        _assignments(open_cases).values("user").annotate(n=Count("content_object")).values_list("user", "n")
    )
    caseloads = [(member, loads.get(member.pk, 0)) for member in caseworkers(service_id)]
    caseloads.sort(key=lambda pair: -pair[1])
    return {
        "caseloads": caseloads,
        "unallocated": unallocated_cases(service_id).count(),
        "open": open_cases.count(),
    }


def unallocated_cases(service_id):
    """Open cases of the service with no active caseworker or volunteer on them (directly; a
    senior manager who opened a case is not its caseworker), oldest first."""
    on_it = CaseUserObjectPermission.objects.filter(
        permission__codename="view_case",
        content_object=OuterRef("pk"),
        user__is_active=True,
        user__role__in=CASE_ROLES,
    )
    return _open_cases(service_id).exclude(Exists(on_it)).order_by("opened_at")


def open_cases_of(viewer, member):
    """The open cases ``member`` is on, of those ``viewer`` may reach, oldest first."""
    on = _assignments(_open_cases(member.service_id)).filter(user=member).values("content_object")
    return Case.objects.visible_to(viewer).filter(pk__in=on, status=Case.Status.OPEN).order_by("opened_at")


def allocation_choices(cases, service_id) -> dict:
    """For each of ``cases`` (by id): the caseworkers and volunteers who may be put on it, that is
    everyone active but those on a linked case of the other separated parent (R5). Three queries
    whatever the number of cases; ``cases.services.assign_staff`` checks again when it is done."""
    ids = [case.pk for case in cases]
    links = SeparatedParentsLink.objects.filter(first_id__in=ids) | SeparatedParentsLink.objects.filter(
        second_id__in=ids
    )
    other_side = {}
    for first, second in links.values_list("first_id", "second_id"):
        other_side.setdefault(first, set()).add(second)
        other_side.setdefault(second, set()).add(first)
    linked = {pk for others in other_side.values() for pk in others}
    on_linked = {}
    for case_id, user_id in _assignments(Case.objects.filter(pk__in=linked)).values_list(
        "content_object_id", "user_id"
    ):
        on_linked.setdefault(case_id, set()).add(user_id)
    staff = list(caseworkers(service_id))
    choices = {}
    for case_id in ids:
        barred = set().union(*(on_linked.get(other, set()) for other in other_side.get(case_id, ())))
        choices[case_id] = [member for member in staff if member.pk not in barred]
    return choices
