"""SLA clocks, derived on every read from the ticket's history (R1, R5, R14).

Nothing here stores a running deadline: the due time follows from `received_at`, the status and
priority history in the ticket's events, `first_response_at`, `resolved_at` and the coverage
calendar as it is now. So a corrected status, a changed priority or an edited calendar
recomputes cleanly, and every due time comes with the story of how it was reached.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext

from santacare.calendars import coverage as calendars
from santacare.calendars.coverage import Calendar, format_duration, format_moment
from santacare.calendars.models import Coverage
from santacare.calendars.services import load_calendar
from santacare.installbase.models import ServiceLevel
from santacare.tickets.models import Event, Ticket

from .history import History, TicketRow, ticket_history
from .models import ClockName, ReplacementRule, SlaTarget


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"
    BREACHED = "breached"
    # Stopped with nothing to measure: the customer closed the ticket before any response.
    NOT_APPLICABLE = "not_applicable"


@dataclass
class Clock:
    name: str
    target_minutes: int | None
    due: datetime
    stopped_at: datetime | None
    paused: bool
    state: ClockState
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
    def applies(self) -> bool:
        return self.state != ClockState.NOT_APPLICABLE

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
            ClockState.NOT_APPLICABLE: gettext("not applicable"),
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


def ticket_clocks(
    ticket: Ticket | TicketRow,
    *,
    now: datetime,
    context: ClockContext | None = None,
    replacement: tuple[datetime, datetime | None] | None = None,
    explain: bool = True,
    events: Iterable[Event] | None = None,
) -> list[Clock]:
    """The response and restore clocks of a ticket as of `now` (and the replacement clock when
    the RMA passes its `(ordered_at, delivered_at)`). Empty when the ticket has no service
    level or its level has no targets. `explain=False` leaves the explanations empty, for
    lists that sort many tickets and show none of them. `events`: the ticket's history when the
    caller holds it (a ticket being opened, whose events are not saved yet), else it is read."""
    context = context or ClockContext.load()
    level_id = ticket.service_level_id
    if level_id is None or not any(key[0] == level_id for key in context.targets):
        return []
    history = ticket_history(ticket, events=events)
    level = context.levels[level_id]
    calendar = context.calendar(level.coverage)
    closed_at = ticket.resolved_at or ticket.closed_at
    # A customer who closes the ticket before anyone answered leaves no response to measure:
    # counting it as met would flatter the desk, as missed would blame it (R5).
    closed_unanswered = (
        ticket.first_response_at is None and closed_at is not None and history.done_by_customer
    )
    clocks = []
    for name, stop, applicable in (
        (ClockName.RESPONSE, ticket.first_response_at or closed_at, not closed_unanswered),
        (ClockName.RESTORE, closed_at, True),
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
                applicable=applicable,
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
                    business_days=context.calendar(Coverage.OFFICE_HOURS),
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
    applicable: bool = True,
) -> Clock:
    """`applicable=False` says the stop leaves nothing to measure: once stopped, the clock is
    not applicable rather than met or missed."""
    end = min(stop, now) if stop is not None else now
    stopped = stop is not None and stop <= now
    pauses = history.pauses_until(end)
    paused = not stopped and history.open_pause_since is not None
    target = timedelta(minutes=target_minutes)
    elapsed, (due, warn_at) = calendars.clock_times(
        start, end, (target, target * warning_percent / 100), calendar=calendar, pauses=pauses
    )
    lines: list[str] = []
    if explain:
        # Only the explanation needs the day-by-day walk; it reaches the same instant.
        due, lines = calendars.add_business_time(start, target, calendar=calendar, pauses=pauses)
    if stopped and not applicable:
        state = ClockState.NOT_APPLICABLE
    elif stopped:
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
    state: ClockState,
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
    if stop is not None and state == ClockState.NOT_APPLICABLE:
        explanation.append(
            gettext("closed by the customer %(moment)s before any response: not applicable")
            % {"moment": format_moment(stop)}
        )
    elif stop is not None:
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
    minutes = target.replacement_minutes
    if target.replacement_rule == ReplacementRule.HOURS and minutes:
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
    # As with measure_clock's stop: a delivery after `now` has not happened as of `now`.
    delivered = delivered_at if delivered_at is not None and delivered_at <= now else None
    end = delivered or now
    if delivered is not None:
        state = ClockState.MET if delivered <= due else ClockState.MISSED
        lines.append(
            gettext("delivered %(moment)s: %(verdict)s")
            % {
                "moment": format_moment(delivered),
                "verdict": gettext("met") if state == ClockState.MET else gettext("missed"),
            }
        )
    else:
        state = ClockState.BREACHED if now >= due else ClockState.RUNNING
    return Clock(
        name=ClockName.REPLACEMENT,
        target_minutes=minutes,
        due=due,
        stopped_at=delivered,
        paused=False,
        state=state,
        remaining=due - end,
        elapsed=end - ordered_at,
        explanation=lines,
    )
