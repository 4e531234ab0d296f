"""The project's settings for the test run: the development key is allowed, nothing else changes.

Subprocesses that tests start (say, `santacare mailgate`) get SANTACARE_INSECURE_DEV_KEY from
this module's environment change, too.
"""

import os

os.environ.setdefault("SANTACARE_INSECURE_DEV_KEY", "true")

from santacare.settings import *  # noqa: E402, F403
