"""The consent to keep a parent's details (R2): asked for when a parent is registered, kept by
the ``consent`` app.

``cases`` registers parents, but consent records belong to ``consent``, which comes after it in
the order of imports. At start-up (``ConsentConfig.ready``) that app registers the form that asks
for the consent and the function that records it; ``cases`` reaches them only through here.
"""

from django.core.exceptions import ImproperlyConfigured

_REGISTERED = {}


def registers_keep_details(*, form, record_many) -> None:
    """Register the form class asking for the consent to keep details, and
    ``record_many(*, by, parents_and_methods, parent_was_told)``, which records it for the
    parents registered (one or many, saved together)."""
    _REGISTERED["form"] = form
    _REGISTERED["record_many"] = record_many


def _registered(what):
    try:
        return _REGISTERED[what]
    except KeyError:
        raise ImproperlyConfigured(
            "No app records the consent to keep details: add 'consent' to INSTALLED_APPS."
        ) from None


def form(*args, **kwargs):
    """The form asking whether the parent was told why details are kept, agreed, and how."""
    return _registered("form")(*args, **kwargs)


def record_many(*, by, parents_and_methods: list, parent_was_told: str):
    """Record, for each ``(parent, method)``, that the parent agreed (R2), written together."""
    return _registered("record_many")(
        by=by, parents_and_methods=parents_and_methods, parent_was_told=parent_was_told
    )
