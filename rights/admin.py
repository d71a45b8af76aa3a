"""Nothing of the data-rights workbench is edited through the admin: every step goes through
``rights.services``, so that it is checked, recorded in the request's history and audited."""
