"""The password hashers of production (``PASSWORD_HASHERS``; SECURITY control 11).

Argon2id first, with parameters chosen for this service's load (README "Running in production":
measured on a 2-core machine, about 50 ms of one core per hash): 32 MiB of memory, 2 passes, one
lane. That is above OWASP's minimum (19 MiB, 2 passes, 1 lane), and one lane means one hash uses
one core, never all of them. Django's own defaults (100 MiB, 8 lanes) took about 250 ms of CPU
spread over every core, so that ten sign-ins a second stalled everything else.

Every hash, checked or made, takes a slot of ``pps.password_checks`` first, so that hashing
never takes more than ``PPS_PASSWORD_CHECKS_AT_ONCE`` cores of the machine. The algorithm names
are Django's: passwords hashed before still verify, and are re-hashed with these parameters when
their owner next signs in (Django's ``must_update``).
"""

from django.contrib.auth import hashers

from pps import password_checks


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 32 * 1024  # KiB
    parallelism = 1

    def encode(self, password, salt):
        with password_checks.slot():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with password_checks.slot():
            return super().verify(password, encoded)


class PBKDF2PasswordHasher(hashers.PBKDF2PasswordHasher):
    """For passwords stored before Argon2 was first: checked (within a slot), then upgraded."""

    def encode(self, password, salt, iterations=None):
        with password_checks.slot():
            return super().encode(password, salt, iterations)

    def verify(self, password, encoded):
        with password_checks.slot():
            return super().verify(password, encoded)
