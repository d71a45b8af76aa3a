from django.core.checks import Error, register


@register("security", deploy=True)
def encryption_keys_are_configured(app_configs, **kwargs):
    """`manage.py check --deploy` fails without valid encryption and search-index keys."""
    from django.core.exceptions import ImproperlyConfigured

    from pps.crypto import blind_index, get_key_ring

    errors = []
    for check in (get_key_ring, lambda: blind_index("name", "check")):
        try:
            check()
        except ImproperlyConfigured as problem:
            errors.append(Error(str(problem), id="pps.E001"))
    return errors
