"""Settings for the test suite: production settings with a throw-away secret."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret")

from .settings import *  # noqa: F403
