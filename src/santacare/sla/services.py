"""SLA clocks, derived on every read from the ticket's history (R1, R5, R14).

Nothing here stores a running deadline: the due time follows from `received_at`, the status and
priority history in the ticket's events, `first_response_at`, `resolved_at` and the coverage
calendar as it is now. So a corrected status, a changed priority or an edited calendar
recomputes cleanly, and every due time comes with the story of how it was reached.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext

from santacare.calendars import coverage as calendars
from santacare.calendars.coverage import Calendar, format_duration, format_moment
from santacare.calendars.services import load_calendar
from santacare.core.time import HELSINKI
from santacare.installbase.models import ServiceLevel
from santacare.tickets.models import Event, Ticket

from .models import ClockName, ClockResult, ReplacementRule, SlaTarget


class ClockState:
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"
    BREACHED = "breached"


# Waiting for the customer pauses the clocks. So does a resolved or closed spell: when the
# customer reopens the ticket, its restore clock goes on from where it stopped.
PAUSING_STATUSES = frozenset(
    {
        Ticket.Status.WAITING_ON_CUSTOMER,
        Ticket.Status.INFO_REQUESTED,
        Ticket.Status.RESOLVED,
        Ticket.Status.CLOSED,
    }
)
HISTORY_KINDS = (Event.Kind.STATUS_CHANGED, Event.Kind.PRIORITY_CHANGED)


@dataclass
class Clock:
    name: str
    target_minutes: int | None
    due: datetime
    stopped_at: datetime | None
    paused: bool
    state: str
    remaining: timedelta
    elapsed: timedelta
    explanation: list[str]
    warning_at: datetime | None = None

    @property
    def label(self) -> str:
        return str(ClockName(self.name).label)

    @property
    def is_open(self) -> bool:
        return self.state in (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED)

    @property
    def remaining_text(self) -> str:
        return format_duration(self.remaining)

    @property
    def state_label(self) -> str:
        return {
            ClockState.RUNNING: gettext("running"),
            ClockState.PAUSED: gettext("paused"),
            ClockState.MET: gettext("met"),
            ClockState.MISSED: gettext("missed"),
            ClockState.BREACHED: gettext("breached"),
        }[self.state]


@dataclass
class ClockContext:
    """Targets and calendars loaded once, for pages and sweeps that look at many tickets."""

    targets: dict[tuple[int, str], SlaTarget] = field(default_factory=dict)
    calendars: dict[str, Calendar] = field(default_factory=dict)
    levels: dict[int, ServiceLevel] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "ClockContext":
        targets = SlaTarget.objects.select_related("service_level")
        context = cls(targets={(t.service_level_id, t.priority): t for t in targets})
        context.levels = {t.service_level_id: t.service_level for t in targets}
        return context

    def calendar(self, kind: str) -> Calendar:
        if kind not in self.calendars:
            self.calendars[kind] = load_calendar(kind)
        return self.calendars[kind]

    def target(self, service_level_id: int | None, priority: str) -> SlaTarget | None:
        if service_level_id is None:
            return None
        return self.targets.get((service_level_id, priority))


@dataclass(frozen=True)
class History:
    """What the clocks need from a ticket's events: pauses and priority changes."""

    pauses: list[tuple[datetime, datetime]]
    open_pause_since: datetime | None
    priorities: list[tuple[datetime, str]]  # (since, priority), oldest first

    def priority_at(self, moment: datetime) -> str:
        current = self.priorities[0][1]
        for since, priority in self.priorities:
            if since <= moment:
                current = priority
        return current

    def pauses_until(self, end: datetime) -> list[tuple[datetime, datetime]]:
        spans = list(self.pauses)
        if self.open_pause_since is not None:
            spans.append((self.open_pause_since, end))
        return [(a, min(b, end)) for a, b in spans if a < end]


def ticket_history(ticket: Ticket, *, events: Iterable[Event] | None = None) -> History:
    if events is None:
        events = ticket.events.all()
    ordered = sorted(
        (e for e in events if e.kind in HISTORY_KINDS), key=lambda e: (e.created_at, e.pk or 0)
    )
    statuses = [e for e in ordered if e.kind == Event.Kind.STATUS_CHANGED]
    changes = [e for e in ordered if e.kind == Event.Kind.PRIORITY_CHANGED]

    if statuses:
        status = statuses[0].data.get("old", ticket.status)
    else:
        # No recorded change (imported or hand-made rows): only the current status is known,
        # and a done one says nothing about when; resolved_at/closed_at stop the clocks.
        done = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
        status = Ticket.Status.IN_PROGRESS if ticket.status in done else ticket.status
    since = ticket.received_at
    pauses = []
    for event in statuses:
        at = max(event.created_at, ticket.received_at)
        if status in PAUSING_STATUSES and at > since:
            pauses.append((since, at))
        status, since = event.data.get("new", status), at
    open_since = since if status in PAUSING_STATUSES else None

    first = changes[0].data.get("old", ticket.priority) if changes else ticket.priority
    priorities = [(ticket.received_at, first)]
    priorities += [(e.created_at, e.data.get("new", first)) for e in changes]
    return History(pauses, open_since, priorities)


def ticket_clocks(
    ticket: Ticket,
    *,
    now: datetime,
    context: ClockContext | None = None,
    replacement: tuple[datetime, datetime | None] | None = None,
    explain: bool = True,
) -> list[Clock]:
    """The response and restore clocks of a ticket as of `now` (and the replacement clock when
    the RMA passes its `(ordered_at, delivered_at)`). Empty when the ticket has no service
    level or its level has no targets. `explain=False` leaves the explanations empty, for
    lists that sort many tickets and show none of them."""
    context = context or ClockContext.load()
    level_id = ticket.service_level_id
    if level_id is None or not any(key[0] == level_id for key in context.targets):
        return []
    history = ticket_history(ticket)
    level = context.levels[level_id]
    calendar = context.calendar(level.coverage)
    closed_at = ticket.resolved_at or ticket.closed_at
    clocks = []
    for name, stop in (
        (ClockName.RESPONSE, ticket.first_response_at or closed_at),
        (ClockName.RESTORE, closed_at),
    ):
        priority = history.priority_at(min(stop or now, now))
        target = context.target(level_id, priority)
        if target is None:
            continue
        minutes = target.response_minutes if name == ClockName.RESPONSE else target.restore_minutes
        clocks.append(
            measure_clock(
                name,
                target_minutes=minutes,
                warning_percent=target.warning_percent,
                calendar=calendar,
                start=ticket.received_at,
                stop=stop,
                history=history,
                now=now,
                explain=explain,
            )
        )
    if replacement is not None:
        target = context.target(level_id, history.priority_at(now))
        if target is not None:
            ordered_at, delivered_at = replacement
            clocks.append(
                replacement_clock(
                    target=target,
                    calendar=calendar,
                    business_days=context.calendar(calendars.OFFICE_HOURS),
                    ordered_at=ordered_at,
                    delivered_at=delivered_at,
                    now=now,
                )
            )
    return clocks


def measure_clock(
    name: str,
    *,
    target_minutes: int,
    warning_percent: int,
    calendar: Calendar,
    start: datetime,
    stop: datetime | None,
    history: History,
    now: datetime,
    explain: bool = True,
) -> Clock:
    end = min(stop, now) if stop is not None else now
    stopped = stop is not None and stop <= now
    pauses = history.pauses_until(end)
    paused = not stopped and history.open_pause_since is not None
    target = timedelta(minutes=target_minutes)
    elapsed = calendars.business_time_between(start, end, calendar=calendar, pauses=pauses)
    due, lines = calendars.add_business_time(
        start, target, calendar=calendar, pauses=pauses, explain=explain
    )
    warn_at, _ = calendars.add_business_time(
        start, target * warning_percent / 100, calendar=calendar, pauses=pauses, explain=False
    )
    if stopped:
        state = ClockState.MET if elapsed <= target else ClockState.MISSED
    elif elapsed >= target:
        state = ClockState.BREACHED
    else:
        state = ClockState.PAUSED if paused else ClockState.RUNNING
    explanation = (
        _explanation(
            start=start,
            lines=lines,
            due=due,
            stop=stop if stopped else None,
            paused=paused,
            state=state,
            elapsed=elapsed,
            target=target,
        )
        if explain
        else []
    )
    return Clock(
        name=name,
        target_minutes=target_minutes,
        due=due,
        stopped_at=stop if stopped else None,
        paused=paused,
        state=state,
        remaining=target - elapsed,
        elapsed=elapsed,
        explanation=explanation,
        warning_at=warn_at,
    )


def _explanation(
    *,
    start: datetime,
    lines: list[str],
    due: datetime,
    stop: datetime | None,
    paused: bool,
    state: str,
    elapsed: timedelta,
    target: timedelta,
) -> list[str]:
    explanation = [gettext("opened %(moment)s") % {"moment": format_moment(start)}, *lines]
    if paused:
        explanation.append(
            gettext("paused now; if work resumed now, due %(due)s") % {"due": format_moment(due)}
        )
    else:
        explanation.append(gettext("due %(due)s") % {"due": format_moment(due)})
    if stop is not None:
        verdict = gettext("met") if state == ClockState.MET else gettext("missed")
        explanation.append(
            gettext("stopped %(moment)s after %(elapsed)s counted: %(verdict)s")
            % {
                "moment": format_moment(stop),
                "elapsed": format_duration(elapsed),
                "verdict": verdict,
            }
        )
    elif state == ClockState.BREACHED:
        explanation.append(
            gettext("breached: %(elapsed)s counted of %(target)s")
            % {"elapsed": format_duration(elapsed), "target": format_duration(target)}
        )
    return explanation


def replacement_clock(
    *,
    target: SlaTarget,
    calendar: Calendar,
    business_days: Calendar,
    ordered_at: datetime,
    delivered_at: datetime | None,
    now: datetime,
) -> Clock:
    """The replacement-delivery clock, fed by the RMA: from the order of the replacement part to
    its delivery. Next business day (with the order cut-off) or N covered hours; no pauses."""
    if target.replacement_rule == ReplacementRule.HOURS and target.replacement_minutes:
        minutes: int | None = target.replacement_minutes
        due, lines = calendars.add_business_time(
            ordered_at, timedelta(minutes=minutes), calendar=calendar
        )
        lines = [gettext("ordered %(moment)s") % {"moment": format_moment(ordered_at)}, *lines]
    else:
        minutes = None
        due, lines = calendars.next_business_day_delivery(
            ordered_at, calendar=business_days, cutoff=target.replacement_cutoff
        )
    lines.append(gettext("due %(due)s") % {"due": format_moment(due)})
    stopped = delivered_at is not None and delivered_at <= now
    end = delivered_at if stopped else now
    if stopped:
        state = ClockState.MET if delivered_at <= due else ClockState.MISSED
        lines.append(
            gettext("delivered %(moment)s: %(verdict)s")
            % {
                "moment": format_moment(delivered_at),
                "verdict": gettext("met") if state == ClockState.MET else gettext("missed"),
            }
        )
    else:
        state = ClockState.BREACHED if now >= due else ClockState.RUNNING
    return Clock(
        name=ClockName.REPLACEMENT,
        target_minutes=minutes,
        due=due,
        stopped_at=delivered_at if stopped else None,
        paused=False,
        state=state,
        remaining=due - end,
        elapsed=end - ordered_at,
        explanation=lines,
    )


def due_times(*, service_level: ServiceLevel, priority: str, start: datetime) -> list[Clock]:
    """Due times of all three clocks for a ticket opened at `start` with no pauses: what agents
    and sales answer to "when?" (`santacare sla due`)."""
    context = ClockContext.load()
    target = context.target(service_level.pk, priority)
    if target is None:
        return []
    calendar = context.calendar(service_level.coverage)
    history = History([], None, [(start, priority)])
    clocks = [
        measure_clock(
            name,
            target_minutes=minutes,
            warning_percent=target.warning_percent,
            calendar=calendar,
            start=start,
            stop=None,
            history=history,
            now=start,
        )
        for name, minutes in (
            (ClockName.RESPONSE, target.response_minutes),
            (ClockName.RESTORE, target.restore_minutes),
        )
    ]
    clocks.append(
        replacement_clock(
            target=target,
            calendar=calendar,
            business_days=context.calendar(calendars.OFFICE_HOURS),
            ordered_at=start,
            delivered_at=None,
            now=start,
        )
    )
    return clocks


def month_of(moment: datetime) -> date:
    return moment.astimezone(HELSINKI).date().replace(day=1)


def record_results(ticket: Ticket, *, now: datetime, context: ClockContext | None = None) -> int:
    """Store the measured result of each stopped clock (what the reports aggregate). Idempotent:
    a result is rewritten when history changed, so it always matches the derived clock."""
    written = 0
    for clock in ticket_clocks(ticket, now=now, context=context):
        if clock.stopped_at is None:
            continue
        ClockResult.objects.update_or_create(
            ticket=ticket,
            clock=clock.name,
            defaults={
                "started_at": ticket.received_at,
                "stopped_at": clock.stopped_at,
                "target_minutes": clock.target_minutes,
                "elapsed_minutes": int(clock.elapsed.total_seconds() // 60),
                "met": clock.state == ClockState.MET,
                "month": month_of(ticket.received_at),
                "customer_id": ticket.customer_id,
                "contract_number": ticket.contract_number,
                "service_level_id": ticket.service_level_id,
                "priority": ticket.priority,
                "channel": ticket.channel,
            },
        )
        written += 1
    return written


# Defaults seeded by `santacare demo`; admins edit them afterwards. Basic counts office hours
# (Mon–Fri 8–16), Advanced counts 24 × 7. Minutes: (response, restore, replacement rule, hours).
DEFAULT_TARGETS = {
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
