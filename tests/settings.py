"""The test run's environment: the one settings file, with test-only values for what it reads."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ["PPS_TESTING"] = "1"

from pps.settings import *  # noqa: E402,F403
