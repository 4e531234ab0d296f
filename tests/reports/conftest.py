from tests.sla.conftest import english, levels  # noqa: F401 - shared fixtures
