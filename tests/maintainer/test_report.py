"""dev/maintainer-check's verdict on a whole run (tests/maintainer/report.py's conclude)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.maintainer.report import conclude


@pytest.mark.parametrize(("own", "decided", "unexpected", "status"), [
    (False, 0, 0, 0), (False, 3, 0, 0), (False, 0, 1, 1),
    (True, 0, 0, 0), (True, 1, 0, 1), (True, 0, 1, 1)])
def test_a_run_fails_on_an_unexpected_difference_and_on_any_in_our_own_package(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], own: bool, decided: int,
        unexpected: int, status: int) -> None:
    report = tmp_path / "report.json"
    counts = {"same": 5, "decided": decided, "unexpected": unexpected, "not-applicable": 2}
    report.write_text(json.dumps({"own_package": own, "counts": counts, "scenarios": []}))
    assert conclude(report, "kdump-tools 1:2.0") == status
    assert json.loads(report.read_text())["package"] == "kdump-tools 1:2.0"
    assert capsys.readouterr().out == (f"kdump-tools 1:2.0: 5 same, {decided} decided, "
                                       f"{unexpected} unexpected, 2 not applicable\n")
