"""The test run's environment: the one settings file, with test-only values for what it reads."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ["PPS_TESTING"] = "1"
# Fixed, test-only keys (they protect nothing): 32 bytes each, base64url.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "test1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE")
os.environ.setdefault("SEARCH_INDEX_KEY", "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI")
# Uploads waiting to be imported (encrypted) go to a folder of the test run's own.
os.environ.setdefault("IMPORTS_DIR", tempfile.mkdtemp(prefix="pps-test-imports-"))

from pps.settings import *  # noqa: E402,F403
