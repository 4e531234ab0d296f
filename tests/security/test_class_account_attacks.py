"""Class: attacks on accounts (seen in Zammad, where "forgot password" sent unlimited mail; and
in every helpdesk whose second login door skipped throttling or the second factor).

The class is covered in tests/accounts/: the admin's login door goes through allauth, staff
need a second factor, wrong passwords and access requests are counted in the cache every
process shares, account mail leaves through the outbox. Here: that coverage is still there,
and the admin's own login form cannot be used to log in.
"""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.security.fixtures_classes import covered_by


def test_account_attacks_class_is_covered_by_the_accounts_tests():
    attacks = covered_by("accounts/test_second_factor.py", prefix="test_account_attacks_")
    attacks += covered_by("accounts/test_shared_rate_limits.py", prefix="test_account_attacks_")
    assert len(attacks) >= 7
    assert covered_by("accounts/test_account_mail.py", prefix="test_r11_")


@pytest.mark.django_db
def test_r11_account_attacks_admin_login_form_posted_directly_logs_nobody_in():
    admin = UserFactory(is_staff=True, is_superuser=True, role="admin")
    client = Client()

    response = client.post(
        "/admin/login/", {"username": admin.email, "password": "test-password-123"}
    )

    assert response.status_code in (302, 403, 405)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
