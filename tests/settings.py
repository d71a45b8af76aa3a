"""The test run's environment: the one settings file, with test-only values for what it reads."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ["PPS_TESTING"] = "1"
# Fixed, test-only keys (they protect nothing): 32 bytes each, base64url.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "test1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE")
os.environ.setdefault("SEARCH_INDEX_KEY", "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI")
# Uploads waiting to be imported (encrypted) go to a folder of the test run's own.
os.environ.setdefault("IMPORTS_DIR", tempfile.mkdtemp(prefix="pps-test-imports-"))

# Documents go to a fresh temporary folder of the test run's own, removed when the run ends.
if not os.environ.get("PPS_DOCUMENTS_DIR"):
    os.environ["PPS_DOCUMENTS_DIR"] = tempfile.mkdtemp(prefix="pps-test-documents-")
    atexit.register(shutil.rmtree, os.environ["PPS_DOCUMENTS_DIR"], True)

from pps.settings import *  # noqa: E402,F403

# A second alias on the test database (a mirror, as a replica is of the primary), for the test of
# pps.db_router; the router leaves it unused unless a test sets PPS_READ_REPLICA.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
PPS_READ_REPLICA = None
