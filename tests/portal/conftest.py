import pytest

from tests.factories import (
    AdvancedServiceLevelFactory,
    ContractFactory,
    DeviceFactory,
    UserFactory,
)


@pytest.fixture
def alice_client(client, alice):
    """Alice logged in to the portal."""
    alice.user = UserFactory(email=alice.email, full_name=alice.name)
    alice.save(update_fields=["user"])
    client.force_login(alice.user)
    return client


@pytest.fixture
def charlie_client(client, charlie):
    charlie.user = UserFactory(email=charlie.email, full_name=charlie.name)
    charlie.save(update_fields=["user"])
    client.force_login(charlie.user)
    return client


@pytest.fixture
def alice_advanced_device(alice):
    contract = ContractFactory(customer=alice.customer, service_level=AdvancedServiceLevelFactory())
    return DeviceFactory(customer=alice.customer, serial_number="JN11AB2C3DEF", contract=contract)
