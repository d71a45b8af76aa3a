"""The "Manage the service" page: what senior staff and maintainers look after, gathered from the
apps that own it, so the menu keeps to the daily work.

Each app adds its own entries at start-up (in its ``AppConfig.ready``) with :func:`manages`; the
shared core knows none of them. An entry is shown to the people ``shown_to(user)`` allows; the
page it opens still checks its own permission, so a list entry is never the guard.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Entry:
    title: str
    url_name: str
    description: str
    shown_to: Callable[[object], bool]
    #: Names of the URL patterns (prefixes) that belong under "Manage" in the menu.
    pages: tuple[str, ...]
    order: int

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_entries: dict[str, Entry] = {}


def manages(title: str, url_name: str, description: str, *, shown_to, pages=(), order: int = 50) -> None:
    """Adds (or replaces, by ``url_name``) an entry on the "Manage the service" page."""
    _entries[url_name] = Entry(title, url_name, description, shown_to, tuple(pages) or (url_name,), order)


def entries_for(user) -> list[Entry]:
    """The entries ``user`` is offered, in their order."""
    if user is None or not user.is_authenticated:
        return []
    return sorted((e for e in _entries.values() if e.shown_to(user)), key=lambda e: (e.order, e.title))


def is_managing(entries: list[Entry], url_name: str) -> bool:
    """Whether the page named ``url_name`` (with its namespace) is one of the entries' pages."""
    return any(url_name.startswith(page) for entry in entries for page in entry.pages)
