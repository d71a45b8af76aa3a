"""What other apps show on a case page, beside the case's own records.

The case page shows the case, its parent and children, and its timeline. An app that shows
more (``consent``: the consents and disclosures) registers a *section* in its
``AppConfig.ready()``: a function ``(user, case, *, how) -> Section`` that reads only what
``user`` may see and records what it shows (``record_access``, labelled ``how``)::

    from cases.case_page import Section, registers_case_page_section

    @registers_case_page_section
    def consents(user, case, *, how):
        shown = consents_on_case(user, case, how=how)
        return Section(context={"consents": shown}, entries=[Entry("consent", ...) for ...])

So ``cases`` imports nothing from the apps that come after it.

Most cases have no disclosures, statements, documents or child-protection concerns: rather than
one query for each kind to find none, a kind registered with ``registers_case_records`` is asked
about first, all kinds together (``has_records``: in the query that fetches the case, when the
page fetches it with ``record_kinds``, else in one query of their own), and a section or source
reads only the kinds the case has. The question is put through the same rule as the read: each
kind's queryset states what ``user`` may see of it on a case they reach (``on_reached_case``,
which its ``visible_to`` uses as well), so a kind is skipped only when its read would have shown
nothing, and skipping it tells nothing (not even by the page's time) that the read would not.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import CharField, Exists, OuterRef, Value

from pps import request_scope


@dataclass
class Section:
    """What one app adds to a case page.

    ``context``: names for the page's templates; ``entries``: timeline entries (``cases.timeline``)
    that the section has loaded anyway, merged into the timeline; ``with_contacts``: called with
    the contacts on the timeline page, to attach what the section shows on each of them.
    """

    context: dict = field(default_factory=dict)
    entries: list = field(default_factory=list)
    with_contacts: Callable[[list], None] | None = None


_SECTIONS = []


def registers_case_page_section(section):
    """Register ``section(user, case, *, how)`` as a section of the case page (see above)."""
    _SECTIONS.append(section)
    return section


def sections_of(user, case, *, how: str) -> list[Section]:
    """Every registered section of ``case``'s page, as ``user`` may see it (each read recorded)."""
    return [section(user, case, how=how) for section in _SECTIONS]


_RECORDS = {}


def registers_case_records(kind: str, records_for, *, case_field: str = "case"):
    """Register ``records_for(user)``: the records of kind ``kind`` that ``user`` may see on a
    case ``user`` reaches (its queryset's ``on_reached_case``; a queryset whose ``case_field`` is
    the case), so that ``has_records`` can ask."""
    _RECORDS[kind] = (records_for, case_field)
    return records_for


def has_records(user, case, kind: str) -> bool:
    """Has ``case`` (which ``user`` reaches) any record of ``kind`` (registered) that ``user``
    may see? Every registered kind is asked about in one query, once a request."""
    return _kinds_on(user, case)[kind]


def record_kinds(user) -> dict:
    """Annotations for a case queryset (the getter's, ``get_case_for_user(..., annotate=)``):
    which registered kinds each case has that ``user`` may see. A case fetched with them answers
    ``has_records`` without another query."""
    kinds = {
        f"has_{kind}": Exists(records_for(user).filter(**{case_field: OuterRef("pk")}))
        for kind, (records_for, case_field) in _RECORDS.items()
    }
    return {**kinds, "record_kinds_for": Value(str(user.pk), output_field=CharField())}


def _kinds_on(user, case) -> dict:
    from cases.models import Case

    def ask():
        fetched = case.__dict__  # fetched with ``record_kinds(user)``?
        answered = all(f"has_{kind}" in fetched for kind in _RECORDS)
        if answered and fetched.get("record_kinds_for") == str(user.pk):
            return {kind: bool(fetched[f"has_{kind}"]) for kind in _RECORDS}
        row = Case.objects.filter(pk=case.pk).values(**record_kinds(user)).first() or {}
        return {kind: bool(row.get(f"has_{kind}")) for kind in _RECORDS}

    return request_scope.remembered(("case_records", user.pk, case.pk), ask)
