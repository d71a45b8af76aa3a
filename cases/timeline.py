"""The case timeline: what happened on a case, from every app, newest first, a page at a time.

Each kind of entry comes from a *source*: a function ``(user, case, limit) -> [Entry, ...]``
giving at most ``limit`` of its newest entries, in timeline order (``ordered_for_timeline``).
Contacts and case events are this app's; an app adds its own records to the timeline by
registering a source in its ``AppConfig.ready()``::

    from cases.timeline import Entry, registers_timeline_entries

    @registers_timeline_entries
    def documents(user, case, limit):
        return [Entry("document", d.added_at, d.added_at, d, "documents/includes/timeline.html")
                for d in documents_on_case(user, case)[:limit]]

A source reads only what ``user`` may see and records what it shows (``record_access``).
The page shows the newest ``PAGE_SIZE`` entries and "Show older" the next ones: each source
is asked for as many as the page needs, so a case with 300 contacts takes the same number of
queries as one with 20.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models.functions import TruncMinute

from cases.models import name_topics, with_topic_names

PAGE_SIZE = 20
#: At most this many entries on one page (``?shown=``), so a forged number costs nothing unusual.
MOST_SHOWN = 2000


@dataclass
class Entry:
    """One line of the timeline: ``at`` when it happened; ``recorded`` when it was written
    down (orders entries within a minute); ``template`` renders it (context: ``item``)."""

    kind: str
    at: datetime
    recorded: datetime
    item: object
    template: str = ""

    def sort_key(self):
        # Contact times are typed to the minute; within a minute, what was recorded later first.
        return (self.at.replace(second=0, microsecond=0), self.recorded)


_SOURCES = []


def registers_timeline_entries(source):
    """Register ``source(user, case, limit)`` as a source of timeline entries (see above)."""
    _SOURCES.append(source)
    return source


def ordered_for_timeline(queryset, at: str, recorded: str):
    """``queryset`` in timeline order (newest minute first, then latest recorded), so that a
    source's first ``limit`` rows are exactly its entries on the page."""
    return queryset.order_by(TruncMinute(at).desc(), f"-{recorded}")


def contacts(user, case, limit):
    rows = ordered_for_timeline(
        # Staff are shown by name: their password hashes are never read for a page.
        with_topic_names(case.contacts.select_related("outcome", "logged_by").defer("logged_by__password")),
        "occurred_at",
        "logged_at",
    )
    shown = list(rows[:limit])
    name_topics(shown)
    return [Entry("contact", c.occurred_at, c.logged_at, c) for c in shown]


def events(user, case, limit):
    rows = ordered_for_timeline(
        case.events.select_related("by", "staff").defer("by__password", "staff__password"), "at", "at"
    )
    return [Entry("event", e.at, e.at, e) for e in rows[:limit]]


registers_timeline_entries(contacts)
registers_timeline_entries(events)


@dataclass
class Page:
    entries: list
    shown: int  # how many entries, from the newest, are on the page with the older ones
    has_older: bool


def page_of(user, case, *, start: int = 0, count: int = PAGE_SIZE, also=()) -> Page:
    """Timeline entries ``start`` to ``start + count`` (0 is the newest). ``also``: entries the
    page has loaded already for other reasons (a case's consents), merged in."""
    start = max(0, min(start, MOST_SHOWN))
    wanted = start + count + 1  # one more tells whether there are older ones
    merged = [entry for source in _SOURCES for entry in source(user, case, wanted)] + list(also)
    merged.sort(key=Entry.sort_key, reverse=True)
    return Page(
        entries=merged[start : start + count], shown=start + count, has_older=len(merged) > start + count
    )


_LINKS = []


def register_case_links(links_of):
    """Register ``links_of(user, case)``, giving ``(text, url)`` pairs shown as links on the case
    page (``documents``: "Attach documents", "Write a letter")."""
    _LINKS.append(links_of)
    return links_of


def case_links(user, case) -> list:
    return [link for links_of in _LINKS for link in links_of(user, case)]
