"""The package's udev rule, read as udev reads it: which events run what.

The rule file is parsed into (key, operator, value) triples, refusing anything it cannot
read (so a rewritten line cannot silently match nothing), and then evaluated for each
event udev sends: a CPU or a memory block coming or going, online or offline, with and
without systemd.  Every such event must ask for exactly one reload, by the right route;
no other event may.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

RULES = (Path(__file__).resolve().parents[2]
         / "debian/root/usr/lib/udev/rules.d/50-kdump-tools.rules")
_PAIR = re.compile(r'\s*([A-Z_]+(?:\{[^}]*\})?)\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*')
SYSTEMD = "/run/systemd/system"
VIA_SYSTEMD = "/usr/bin/systemctl --no-block try-reload-or-restart kdump-tools.service"
DIRECT = "/usr/sbin/kdump-config try-reload"

# What changes the memory map or the CPUs the capture kernel must describe.
RELOAD_EVENTS = [("cpu", "add"), ("cpu", "remove"), ("cpu", "online"), ("cpu", "offline"),
                 ("memory", "online"), ("memory", "offline")]
QUIET_EVENTS = [("cpu", "change"), ("cpu", "bind"), ("memory", "change"),
                ("block", "add"), ("block", "remove"), ("net", "online")]


def parse(text: str) -> list[list[tuple[str, str, str]]]:
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pairs, at = [], 0
        while at < len(line):
            match = _PAIR.match(line, at)
            assert match is not None, f"line {number}: cannot read {line[at:]!r}"
            pairs.append(match.groups())
            at = match.end()
            if at < len(line):
                assert line[at] == ",", f"line {number}: no comma at {line[at:]!r}"
                at += 1
        rules.append(pairs)
    return rules


def _matches(pattern: str, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, one) for one in pattern.split("|"))


def runs(rules: list[list[tuple[str, str, str]]], subsystem: str, action: str,
         existing: set[str]) -> list[str]:
    """What udev runs for the event, when the paths in ``existing`` exist."""
    event = {"SUBSYSTEM": subsystem, "ACTION": action}
    ran = []
    for rule in rules:
        matched, run = True, []
        for key, op, value in rule:
            if op in ("==", "!="):
                if key == "TEST":
                    hit = value in existing
                else:
                    assert key in event, f"a match on {key} this test does not model"
                    hit = _matches(value, event[key])
                matched = matched and hit == (op == "==")
            elif key == "RUN" and op == "+=":
                run.append(value)
            else:
                pytest.fail(f"an assignment this test does not model: {key}{op}{value!r}")
        if matched:
            ran += run
    return ran


@pytest.fixture(scope="module")
def rules() -> list[list[tuple[str, str, str]]]:
    return parse(RULES.read_text())


@pytest.mark.parametrize(("subsystem", "action"), RELOAD_EVENTS,
                         ids=[f"{s}-{a}" for s, a in RELOAD_EVENTS])
def test_under_systemd_each_hotplug_event_asks_the_service_for_one_reload(
        rules: list[list[tuple[str, str, str]]], subsystem: str, action: str) -> None:
    assert runs(rules, subsystem, action, {SYSTEMD}) == [VIA_SYSTEMD]


@pytest.mark.parametrize(("subsystem", "action"), RELOAD_EVENTS,
                         ids=[f"{s}-{a}" for s, a in RELOAD_EVENTS])
def test_without_systemd_each_hotplug_event_runs_one_try_reload(
        rules: list[list[tuple[str, str, str]]], subsystem: str, action: str) -> None:
    assert runs(rules, subsystem, action, set()) == [DIRECT]


@pytest.mark.parametrize(("subsystem", "action"), QUIET_EVENTS,
                         ids=[f"{s}-{a}" for s, a in QUIET_EVENTS])
@pytest.mark.parametrize("existing", [{SYSTEMD}, set()], ids=["systemd", "no-systemd"])
def test_other_events_run_nothing(rules: list[list[tuple[str, str, str]]], subsystem: str,
                                  action: str, existing: set[str]) -> None:
    assert runs(rules, subsystem, action, existing) == []


def test_the_parser_refuses_what_it_cannot_read() -> None:
    # The evaluation above is only as good as the reading: a line it cannot read fails.
    with pytest.raises(AssertionError, match="line 1: no comma"):
        parse('SUBSYSTEM=="cpu", ACTION=="online" RUN+="x"')
    with pytest.raises(AssertionError, match="line 1: cannot read"):
        parse('SUBSYSTEM==cpu, RUN+="x"')
    assert parse('SUBSYSTEM=="cpu", ACTION=="online|offline", RUN+="x"') == [
        [("SUBSYSTEM", "==", "cpu"), ("ACTION", "==", "online|offline"), ("RUN", "+=", "x")]]
