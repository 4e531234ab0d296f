from django.db import models


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PeriodicRun(models.Model):
    """One periodic job's claim on one period: the unique pair (job, period) lets one worker of
    many run it (`core/periodic.py::once_per_period`). Kept in the database rather than in Redis:
    a claim survives a Redis restart, and the readiness check reads the last run from here."""

    job = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # host:pid of the worker that claimed it, for the operator reading the table.
    worker = models.CharField(max_length=200, blank=True)
    failed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period_start"], name="periodic_run_once")
        ]
        indexes = [models.Index(fields=["job", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.job} {self.period_start:%Y-%m-%d %H:%M}"
