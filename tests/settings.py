"""The test run's environment: the one settings file, with test-only values for what it reads."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ["PPS_TESTING"] = "1"
# Fixed, test-only keys (they protect nothing): 32 bytes each, base64url.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "test1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE")
os.environ.setdefault("SEARCH_INDEX_KEY", "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI")

from pps.settings import *  # noqa: E402,F403

# A second alias on the test database (a mirror, as a replica is of the primary), for the test of
# pps.db_router; the router leaves it unused unless a test sets PPS_READ_REPLICA.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
PPS_READ_REPLICA = None
