import pytest

from tests.factories import ContactFactory, CustomerFactory, DeviceFactory

pytest_plugins = ["tests.support.browser", "tests.support.mail"]


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
