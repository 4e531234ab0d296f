"""Default SLA targets for the demo service levels, seeded by `santacare demo`."""

from django.db import transaction

from santacare.installbase.models import ServiceLevel

from .models import ReplacementRule, SlaTarget

# Defaults seeded by `santacare demo`; admins edit them afterwards. Basic counts office hours
# (Mon–Fri 8–16), Advanced counts 24 × 7. Minutes: (response, restore, replacement rule, hours).
DEFAULT_TARGETS: dict[str, dict[str, tuple[int, int, ReplacementRule, int | None]]] = {
    "SantaCare Basic": {
        "P1": (60, 480, ReplacementRule.NEXT_BUSINESS_DAY, None),
        "P2": (180, 960, ReplacementRule.NEXT_BUSINESS_DAY, None),
        "P3": (480, 2400, ReplacementRule.NEXT_BUSINESS_DAY, None),
        "P4": (960, 4800, ReplacementRule.NEXT_BUSINESS_DAY, None),
    },
    "SantaCare Advanced": {
        "P1": (30, 240, ReplacementRule.HOURS, 240),
        "P2": (60, 480, ReplacementRule.HOURS, 240),
        "P3": (240, 1440, ReplacementRule.NEXT_BUSINESS_DAY, None),
        "P4": (480, 2880, ReplacementRule.NEXT_BUSINESS_DAY, None),
    },
}


@transaction.atomic
def seed_default_targets() -> None:
    """Create the default targets of the demo service levels; never overwrite an admin's edit.

    No calendar exceptions are seeded: the Finnish public holidays, Midsummer Eve and Christmas
    Eve come from the calendar itself, and New Year's Eve is a working day in Finland."""
    for level in ServiceLevel.objects.filter(name__in=DEFAULT_TARGETS):
        for priority, (response, restore, rule, hours) in DEFAULT_TARGETS[level.name].items():
            SlaTarget.objects.get_or_create(
                service_level=level,
                priority=priority,
                defaults={
                    "response_minutes": response,
                    "restore_minutes": restore,
                    "replacement_rule": rule,
                    "replacement_minutes": hours,
                },
            )
