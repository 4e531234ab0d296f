from tests.rma.conftest import agent, cisco, clock, open_rma, ticket  # noqa: F401 - shared fixtures
from tests.sla.conftest import english, levels  # noqa: F401 - shared fixtures
