"""Upgrades without downtime: the schema of release N+1 works with the code of release N
(docs/OPERATIONS.md, "Upgrade without downtime"). A migration that drops or renames what the
running release still reads, or adds a NOT NULL column the old code cannot fill, breaks the
nodes not yet upgraded; each such step needs two releases, and an entry here saying why."""

from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

# Database-side no-ops: models that moved between apps with their tables kept
# (SeparateDatabaseAndState), so no running code lost a table.
REVIEWED = {
    ("mailgate", "0002_outboundmail_to_outbox"),
    ("sla", "0002_calendarexception_to_calendars"),
    # Before this rule, when the desk ran as one process: no old release ran beside it.
    ("tickets", "0003_desk_and_mail_fields"),
}
DESTRUCTIVE = (
    migrations.RemoveField,
    migrations.RenameField,
    migrations.RenameModel,
    migrations.DeleteModel,
)


def _database_operations(operation):
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        for inner in operation.database_operations:
            yield from _database_operations(inner)
    else:
        yield operation


def test_no_migration_breaks_the_release_before_it():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    problems = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if not migration.__module__.startswith("santacare.") or (app, name) in REVIEWED:
            continue
        initial = getattr(migration, "initial", False)
        for operation in migration.operations:
            for database_operation in _database_operations(operation):
                if isinstance(database_operation, DESTRUCTIVE):
                    problems.append(f"{app}.{name}: {type(database_operation).__name__}")
                if (
                    not initial
                    and isinstance(database_operation, migrations.AddField)
                    and isinstance(database_operation.field, models.Field)
                    and not database_operation.field.null
                    and not database_operation.field.has_default()
                    and database_operation.field.db_default is models.NOT_PROVIDED
                    and not database_operation.field.many_to_many
                ):
                    problems.append(
                        f"{app}.{name}: {database_operation.name} NOT NULL without a default"
                    )
    assert not problems, "two releases for these (docs/OPERATIONS.md):\n" + "\n".join(problems)
