"""The walk-throughs of the customer portal; browser fixtures come from tests/support/browser.py."""

import pytest


@pytest.fixture
def csp_violations():
    """Attach to a page; afterwards the list holds every Content-Security-Policy complaint."""

    def watch(page) -> list[str]:
        seen: list[str] = []
        page.on(
            "console",
            lambda message: (
                seen.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return seen

    return watch
