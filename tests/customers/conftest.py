import pytest

from tests.support.mail import huey_immediate


@pytest.fixture(autouse=True)
def _outbox_sends_at_once():
    """Access-request mail leaves through the outbox; its send task runs inline here, so a test
    sees the mail as the person would, after the commit."""
    with huey_immediate():
        yield
