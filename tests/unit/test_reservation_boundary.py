"""`check`'s reservation against the suggested size, at the boundary (kdump/checks.py).

Reserved is counted in whole MiB (the kernel's byte count, rounded down): exactly the
suggested size is enough, one MiB less is not, and so is one byte less than it.
"""

from __future__ import annotations

import pytest

from kdump.checks import CheckResult, readiness
from tests.unit.test_checks import by_name, config, facts, ready_inputs

MIB = 1 << 20
SUGGESTED = 466


def _size_check(crash_size: int) -> CheckResult:
    results = by_name(readiness(config(), facts(crash_size=crash_size, kexec_loaded=True),
                                ready_inputs(estimate_mib=SUGGESTED)))
    return results["crashkernel-size"]


@pytest.mark.parametrize(("crash_size", "reserved"), [
    (SUGGESTED * MIB, SUGGESTED),            # exactly at the threshold
    (SUGGESTED * MIB + 1, SUGGESTED),        # a byte over: still that many MiB
    ((SUGGESTED + 1) * MIB, SUGGESTED + 1),  # one above
])
def test_a_reservation_of_at_least_the_suggested_size_is_enough(crash_size: int,
                                                                reserved: int) -> None:
    check = _size_check(crash_size)

    assert (check.status, check.code) == ("ok", None)
    assert check.params == {"reserved": reserved, "suggested": f"{SUGGESTED}M"}


@pytest.mark.parametrize("crash_size", [
    (SUGGESTED - 1) * MIB,  # one MiB below
    SUGGESTED * MIB - 1,    # one byte below: 465 whole MiB
])
def test_a_reservation_below_the_suggested_size_is_a_warning(crash_size: int) -> None:
    check = _size_check(crash_size)

    assert (check.status, check.code) == ("warn", "crashkernel-too-small")
    assert check.params == {"reserved": SUGGESTED - 1, "suggested": f"{SUGGESTED}M"}
