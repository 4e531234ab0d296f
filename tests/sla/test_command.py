"""`santacare sla due`: the hand-checkable answer to "when?" (issue 6's JSON shape)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args: str) -> str:
    out = StringIO()
    call_command("sla", *args, stdout=out)
    return out.getvalue()


def test_r14_due_json_for_the_midsummer_example(levels):
    document = json.loads(
        run(
            "due",
            "--service-level",
            "SantaCare Basic",
            "--priority",
            "P2",
            "--start",
            "2026-06-18T15:00+03:00",
            "--json",
            "--language",
            "en",
        )
    )
    assert document["service_level"] == "SantaCare Basic"
    assert document["priority"] == "P2"
    assert document["start"] == "2026-06-18T15:00:00+03:00"
    clocks = {clock["name"]: clock for clock in document["clocks"]}
    assert set(clocks) == {"response", "restore", "replacement"}
    assert clocks["response"]["target_minutes"] == 180
    assert clocks["response"]["due"] == "2026-06-22T10:00:00+03:00"
    assert clocks["response"]["explanation"][-1] == "due Mon 22.6. 10:00"
    assert "Fri 19.6. Midsummer Eve, off" in clocks["response"]["explanation"]
    assert clocks["replacement"]["due"] == "2026-06-23T16:00:00+03:00"


def test_r14_due_in_finnish_by_default_and_start_without_offset_is_helsinki(levels):
    text = run(
        "due",
        "--service-level",
        "santacare advanced",
        "--priority",
        "P1",
        "--start",
        "2026-03-29T01:30",
    )
    assert "2026-03-29T02:00:00+02:00" in text  # response: 30 min
    assert "2026-03-29T06:30:00+03:00" in text  # restore: 4 h, across the missing hour
    assert "avattu su 29.3. 01:30" in text


@pytest.mark.parametrize(
    "args",
    [
        ["--service-level", "Gold", "--priority", "P1", "--start", "2026-06-18T15:00"],
        ["--service-level", "SantaCare Basic", "--priority", "P1", "--start", "tomorrow"],
    ],
)
def test_due_rejects_unknown_levels_and_bad_times_clearly(levels, args):
    with pytest.raises(CommandError):
        run("due", *args)


@pytest.mark.parametrize(
    ("start", "problem"),
    [("2026-03-29T03:30", "does not exist"), ("2026-10-25T03:30", "happens twice")],
)
def test_r14_due_refuses_missing_and_ambiguous_local_times(levels, start, problem):
    with pytest.raises(CommandError, match=problem):
        run("due", "--service-level", "SantaCare Basic", "--priority", "P1", "--start", start)
