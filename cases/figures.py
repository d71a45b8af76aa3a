"""Where summaries of casework, kept by a newer app, hear of each write (R15).

``cases`` must not import the apps built on it, so an app that keeps counts of contacts and
cases (``reports``) registers a listener here from its ``apps.py`` ``ready()``. The service
functions of ``cases`` call these hooks inside their own transaction, so a count changes in the
same transaction as the record it counts, or not at all.

A listener has two methods:

- ``contact_logged(contact, topic_ids, child_codes)``: a new contact (on a case or NNG), with its
  topics and the ``ContactChild`` rows written for it;
- ``case_changing(case)``: called before a case is created or changed (``None`` state for a new
  case); returns what it needs to know, which is handed back to ``case_changed(case, before)``
  after the change is saved.
"""

from contextlib import contextmanager

_listeners: list = []


def listen(listener) -> None:
    """Register ``listener`` (once: a second registration of an equal listener is ignored)."""
    if listener not in _listeners:
        _listeners.append(listener)


def contact_logged(contact, topic_ids, child_codes) -> None:
    for listener in _listeners:
        listener.contact_logged(contact, list(topic_ids), list(child_codes))


@contextmanager
def case_changes(case, *, new: bool = False):
    """Wrap a write to ``case`` (its status, dates or codes): listeners see it before and after."""
    states = [(listener, None if new else listener.case_changing(case)) for listener in _listeners]
    yield
    for listener, before in states:
        listener.case_changed(case, before)
