from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from pps.crypto import blind_index, get_key_ring


@register("security", deploy=True)
def encryption_keys_are_configured(app_configs, **kwargs):
    """`manage.py check --deploy` fails without valid encryption and search-index keys."""

    errors = []
    for check in (get_key_ring, lambda: blind_index("name", "check")):
        try:
            check()
        except ImproperlyConfigured as problem:
            errors.append(Error(str(problem), id="pps.E001"))
    return errors


#: Caches that every process and server shares (``CACHE_URL``).
SHARED_CACHES = (
    "django.core.cache.backends.db.DatabaseCache",
    "django.core.cache.backends.redis.RedisCache",
)


@register("caches", deploy=True)
def cache_is_shared(app_configs, **kwargs):
    """`manage.py check --deploy` fails on a cache kept in each process's memory (or none): the
    limits on password resets, searches and exports would be counted per process."""

    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in SHARED_CACHES:
        return []
    return [
        Error(
            f"The default cache ({backend}) is not shared between processes and servers.",
            hint="Set CACHE_URL to redis://… or leave it unset for the database cache.",
            id="pps.E002",
        )
    ]
