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
"""

from collections.abc import Callable
from dataclasses import dataclass, field


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
