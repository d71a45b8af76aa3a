"""Where someone who does no casework lands after signing in: each app that has a home page for
such a person registers it from its ``ready()`` (``reports``: coordinators land on the
statistics). The dashboard asks ``landing_for``; this module knows no app."""

_landings = []


def lands_on(predicate, url_name: str) -> None:
    """Send those for whom ``predicate(user)`` is true to ``url_name`` instead of the dashboard."""
    if (predicate, url_name) not in _landings:
        _landings.append((predicate, url_name))


def landing_for(user) -> str | None:
    """The URL name of ``user``'s landing page, or None for the dashboard."""
    for predicate, url_name in _landings:
        if predicate(user):
            return url_name
    return None
