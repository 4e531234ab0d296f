"""End-to-end fixtures: the app on a live server at 127.0.0.1 and Debian's chromium via Playwright.

Use in a test module:

    pytestmark = pytest.mark.e2e

    def test_something(page, live_server, demo_data, login, screenshot):
        login(page, "tekninen@esimerkki.fi")
        page.goto(live_server.url + "/portal/")
        screenshot(page, "portal-home")

`page` starts on a fresh browser context (Finnish, like a Finnish customer's browser); use
`new_page(locale="en-US")` for another language. Playwright never downloads a browser here: the
system chromium is launched through `executable_path`, with the flags that keep it off the network.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# pytest-django's live server binds "localhost" unless told otherwise, which may mean ::1 or
# every interface; tests bind 127.0.0.1 only.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOT_DIR = REPO_ROOT / "var" / "screenshots"
DEMO_PASSWORD = "demo-walkthrough-2026"  # noqa: S105 - the e2e demo data's test password
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Every wait in a walk-through is bounded: a missing element fails in seconds, not minutes.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "The browser tests need Debian's chromium: run `make test-system-packages` "
            "(or `apt-get install chromium` as root)."
        )
    # Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls
    # from it unless told that the test thread is not really async.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def _plain_http_cookies(settings, live_server) -> None:
    # The live server speaks plain HTTP, and a Secure cookie would never come back over it.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def new_page(browser, live_server, _plain_http_cookies) -> Iterator[Callable[..., object]]:
    """A factory of pages, each in its own browser context (separate cookies, own language)."""
    from django.core.cache import cache

    # allauth's rate limits count in the cache: one walk-through's logins must not lock out
    # the next one's.
    cache.clear()
    contexts = []

    def make(*, locale: str = "fi-FI", width: int = 1280, height: int = 900):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def demo_data(transactional_db) -> str:
    """The `santacare demo` data set; returns the password every demo user has."""
    from santacare.demo.data import load_demo_data

    load_demo_data(password=DEMO_PASSWORD)
    return DEMO_PASSWORD


@pytest.fixture
def login() -> Callable[..., None]:
    """Log in through the real login form, as a person would."""

    def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(email)
        page.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            page.locator("input[name=password]").press("Enter")
        if "/accounts/login/" in page.url:
            raise AssertionError(f"Login as {email} failed: still at {page.url}")

    return log_in


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """Save a full-page PNG under var/screenshots/<name>.png (of the repository, for CI)."""

    def take(page, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
