"""Every catalog code is produced by at least one scenario, on every backend.

The scenarios record the codes kdump-config emits (tests/steps/machine.py); this
test runs after them (conftest.py orders it last).  Run on its own, it runs the
scenarios first, in a separate pytest process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kdump.messages import CATALOG
from tests.steps.machine import BACKENDS, CODES_SEEN

TOP = Path(__file__).resolve().parents[2]


def _codes_from_a_scenario_run(tmp_path: Path) -> dict[str, set[str]]:
    out = tmp_path / "codes.json"
    env = dict(os.environ, KDUMP_CODES_OUT=str(out))
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    str(TOP / "tests" / "test_features.py")], cwd=TOP, env=env, check=False,
                   stdout=subprocess.DEVNULL)
    return {backend: set(codes) for backend, codes in json.loads(out.read_text()).items()}


def test_every_catalog_code_is_produced_by_a_scenario_on_every_backend(tmp_path: Path) -> None:
    seen = CODES_SEEN if CODES_SEEN else _codes_from_a_scenario_run(tmp_path)
    missing = {backend: sorted(set(CATALOG) - seen.get(backend, set()))
               for backend in BACKENDS}
    assert not any(missing.values()), f"catalog codes no scenario produced: {missing}"
