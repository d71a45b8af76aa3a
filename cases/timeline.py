"""What newer apps add to a case page, registered at start-up from their ``apps.py`` ``ready()``,
so that ``cases`` never imports them.

- ``register_timeline_entries(entries_of)``: ``entries_of(user, case)`` returns timeline entries,
  dicts with ``at`` and ``recorded`` (datetimes, for the order), ``item`` and ``template`` (the
  partial that draws the entry, given ``item``). The app checks ``user``'s reach itself.
- ``register_case_links(links_of)``: ``links_of(user, case)`` returns ``(text, url)`` pairs shown
  as links on the case page.
"""

_TIMELINE = []
_LINKS = []


def register_timeline_entries(entries_of):
    _TIMELINE.append(entries_of)
    return entries_of


def register_case_links(links_of):
    _LINKS.append(links_of)
    return links_of


def timeline_entries(user, case) -> list:
    return [{"kind": "registered", **entry} for entries_of in _TIMELINE for entry in entries_of(user, case)]


def case_links(user, case) -> list:
    return [link for links_of in _LINKS for link in links_of(user, case)]
