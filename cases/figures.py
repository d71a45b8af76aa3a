"""Where summaries of casework, kept by a newer app, hear of each write (R15).

``cases`` must not import the apps built on it, so an app that keeps counts of contacts and
cases (``reports``) registers a listener here from its ``apps.py`` ``ready()``. The service
functions of ``cases`` call these hooks inside their own transaction, so a count changes in the
same transaction as the record it counts, or not at all.

A listener has two methods:

- ``contacts_logged(logged)``: new contacts (on cases or NNG), written together, as a list of
  ``(contact, topic_ids, child_codes)``: each contact with its topics and the ``ContactChild``
  rows written for it. A listener changes its counts for all of them at once, to the same
  figures as if it had heard of them one by one, in that order;
- ``case_changing(case)``: called before a case is created or changed (``None`` state for a new
  case); returns what it needs to know, which is handed back to ``case_changed(case, before)``
  after the change is saved;
- ``cases_changed(changes)``: cases written together, as a list of ``(case, before)``, each
  ``before`` what ``case_changing`` returned (``None`` for a new case): the same figures as
  hearing of each with ``case_changed``, in that order.
"""

from contextlib import contextmanager

_listeners: list = []


def listen(listener) -> None:
    """Register ``listener`` (once: a second registration of an equal listener is ignored)."""
    if listener not in _listeners:
        _listeners.append(listener)


def contacts_logged(logged) -> None:
    """``logged``: ``(contact, topic_ids, child_codes)`` for each new contact, in order."""
    logged = [(contact, list(topic_ids), list(codes)) for contact, topic_ids, codes in logged]
    if not logged:
        return
    for listener in _listeners:
        listener.contacts_logged(logged)


@contextmanager
def case_changes(case, *, new: bool = False):
    """Wrap a write to ``case`` (its status, dates or codes): listeners see it before and after."""
    states = [(listener, None if new else listener.case_changing(case)) for listener in _listeners]
    yield
    for listener, before in states:
        listener.case_changed(case, before)


@contextmanager
def cases_added(cases):
    """Wrap the write of new cases saved together, each as it is once saved (an imported case
    may be saved closed already): listeners hear of them all at once afterwards."""
    yield
    if cases:
        for listener in _listeners:
            listener.cases_changed([(case, None) for case in cases])
