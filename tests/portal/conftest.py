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


@pytest.fixture
def open_for():
    """Open a portal ticket for a contact through the real intake service."""
    from santacare.tickets.intake import TicketRequest, open_ticket
    from santacare.tickets.models import Channel

    def make(contact, device, description="Switch port flapping", **fields):
        result = open_ticket(
            TicketRequest(
                channel=Channel.PORTAL,
                contact=contact,
                serial_number=device.serial_number,
                description=description,
                **fields,
            )
        )
        assert result.ticket is not None, result
        return result.ticket

    return make


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Attachments of a test go to its own directory, not the shared var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
