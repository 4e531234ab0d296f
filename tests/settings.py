"""The project's settings for the test run: the development key is allowed and passwords hash fast.

Subprocesses that tests start (say, `santacare mailgate`) get SANTACARE_INSECURE_DEV_KEY from
this module's environment change, too.
"""

import os

os.environ.setdefault("SANTACARE_INSECURE_DEV_KEY", "true")

from santacare.settings import *  # noqa: E402, F403

# The production hasher spends about a quarter of a second of CPU on every password a factory or a
# login touches; MD5 keeps the suite fast. tests/portal/test_accounts.py checks production's list.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The desk's and the admin's tests log staff in with force_login and walk pages without a phone;
# tests/accounts/ turns the second-factor requirement back on and proves it.
MFA_REQUIRED_FOR_STAFF = False

# Plain static names, whatever manifest a developer's collectstatic left in var/static;
# tests/operations/test_settings.py checks production's hashed names in a process of its own.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
