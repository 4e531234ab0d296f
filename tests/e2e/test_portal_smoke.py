import pytest

pytestmark = pytest.mark.e2e


def test_r14_the_login_page_opens_in_a_real_browser(page, demo_data, login, screenshot):
    login(page, "tekninen@esimerkki.fi", demo_data)

    assert page.locator("html").get_attribute("lang") == "fi"
    screenshot(page, "home-after-login")
