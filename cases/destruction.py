"""What else goes when a household is destroyed (R13), registered by newer apps at start-up
(``register_household_destroyed``), so that ``cases`` never imports them.

``destroyed(parent)`` is called by both ways of destroying a household (``cases.services`` by a
person, ``cases.retention`` by the nightly job) inside their transaction, after the data key is
wiped. A hook that removes things outside the database (stored files) should do it with
``transaction.on_commit``, so that nothing goes if the destruction is rolled back.
"""

_HOOKS = []


def register_household_destroyed(hook):
    _HOOKS.append(hook)
    return hook


def destroyed(parent) -> None:
    for hook in _HOOKS:
        hook(parent)
