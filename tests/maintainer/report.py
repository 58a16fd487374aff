"""Maintainer mode's verdict per scenario: same, differs as decided, differs unexpectedly, n/a.

A scenario that passes in the chroot behaves as expected ("same"). One that fails is
"decided" when it carries a ``@decision-<id>`` tag (docs/compatibility.md says why this
project differs from the shell original there), else "unexpected", with the failed
assertion as its diff. Against the project's own package (``--maintainer-own``) no tag
excuses a failure. A scenario the chroot cannot express is skipped with a reason starting
"not applicable" and counted apart. The counts are printed; the whole is written as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.maintainer.decisions import TAG_PREFIX

KINDS = ("same", "decided", "unexpected", "not-applicable")


def verdict(failed: bool, skip_reason: str | None, decisions: list[str], own: bool) -> str:
    """One scenario's verdict from its outcome (see the module's docstring)."""
    if skip_reason is not None:
        return "not-applicable" if skip_reason.startswith("not applicable") else "unexpected"
    if not failed:
        return "same"
    return "decided" if decisions and not own else "unexpected"


class MaintainerReport:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.own = bool(config.getoption("--maintainer-own"))
        self.results: dict[str, dict[str, Any]] = {}

    def _entry(self, item: pytest.Item) -> dict[str, Any]:
        decisions = sorted(m.name[len(TAG_PREFIX):] for m in item.iter_markers()
                           if m.name.startswith(TAG_PREFIX))
        return self.results.setdefault(item.nodeid, {
            "scenario": item.nodeid, "feature": str(getattr(item, "path", "")),
            "decisions": decisions, "result": "same"})

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item,
                                  call: pytest.CallInfo[None]) -> Any:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        entry = self._entry(item)
        if report.skipped:
            reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) \
                else str(report.longrepr)
            reason = reason.removeprefix("Skipped: ")
            entry["result"] = verdict(False, reason, entry["decisions"], self.own)
            entry["reason"] = reason
        elif report.failed and entry["result"] != "unexpected":
            entry["result"] = verdict(True, None, entry["decisions"], self.own)
            entry["diff"] = report.longreprtext[-4000:]
            entry["phase"] = report.when

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for entry in self.results.values():
            counts[entry["result"]] += 1
        return counts

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        counts = self.counts()
        write = terminalreporter.write_line
        write("")
        write("maintainer check: " + ", ".join(f"{counts[k]} {k}" for k in KINDS))
        for entry in self.results.values():
            if entry["result"] == "unexpected":
                write(f"  unexpected: {entry['scenario']}")
        target = self.config.getoption("--maintainer-report")
        if target:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            document = {"own_package": self.own, "counts": counts,
                        "scenarios": sorted(self.results.values(),
                                            key=lambda e: str(e["scenario"]))}
            path.write_text(json.dumps(document, indent=2) + "\n")
            write(f"report: {path}")


def conclude(path: Path, label: str) -> int:
    """dev/maintainer-check's last step: name the package in the report, print its counts,
    and the exit status: 1 when a scenario differs unexpectedly, or when the project's own
    package differs at all (no decision excuses it there), else 0."""
    report = json.loads(path.read_text())
    report["package"] = label
    path.write_text(json.dumps(report, indent=2))
    counts = report["counts"]
    print(f"{label}: {counts['same']} same, {counts['decided']} decided, "
          f"{counts['unexpected']} unexpected, {counts['not-applicable']} not applicable")
    return 1 if counts["unexpected"] or (report["own_package"] and counts["decided"]) else 0


if __name__ == "__main__":
    import sys

    sys.exit(conclude(Path(sys.argv[1]), sys.argv[2]))
