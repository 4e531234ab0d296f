import pytest
from django.core.cache import cache

from santacare.desk.queues import forget_queue_counts
from tests.factories import ContactFactory, CustomerFactory, DeviceFactory

pytest_plugins = ["tests.support.browser", "tests.support.mail", "tests.support.s3"]

DATABASE_FIXTURES = ("transactional_db", "db")


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Each test that touches the database starts with no rate limit used and no queue counts
    kept.

    The limits count in the database cache: a test's rollback forgets them, but the flush after a
    transactional test leaves that table alone. A test without the database has no cache. The
    desk's tab counts are kept per process, keyed by rows a rollback may hand out again.
    """
    requested = [name for name in DATABASE_FIXTURES if name in request.fixturenames]
    if not requested and request.node.get_closest_marker("django_db") is None:
        return
    if requested:
        # Autouse fixtures run before the ones a test names; open its database first.
        request.getfixturevalue(requested[0])
    cache.clear()
    forget_queue_counts()


@pytest.fixture
def alice():
    """A technical contact with a covered device: the everyday customer."""
    return ContactFactory(customer=CustomerFactory(name="Alice Oy"), email="alice@alice.example")


@pytest.fixture
def alice_device(alice):
    return DeviceFactory(customer=alice.customer, serial_number="FOC2233X0AB")


@pytest.fixture
def charlie():
    """A technical contact of another company: must never see or touch Alice's things."""
    return ContactFactory(
        customer=CustomerFactory(name="Charlie Oy"), email="charlie@charlie.example"
    )


@pytest.fixture
def charlie_device(charlie):
    return DeviceFactory(customer=charlie.customer, serial_number="FDO2544Y1QQ")
