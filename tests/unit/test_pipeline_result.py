"""Which stage of a failed chain is reported (backends.values.PipelineResult)."""

from __future__ import annotations

from backends.values import PipelineResult, RunResult

CAT = RunResult(("cat", "/proc/vmcore"), -13)  # ended by SIGPIPE
LOGIN = RunResult(("ftp-stor", "host:/dump"), 530, "", "530 login incorrect")


def test_a_stage_killed_by_sigpipe_yields_to_the_later_failure_that_stopped_reading() -> None:
    assert PipelineResult((CAT, LOGIN)).failed_stage == LOGIN


def test_the_first_real_failure_is_reported() -> None:
    makedumpfile = RunResult(("makedumpfile",), 1, "", "broken")
    assert PipelineResult((makedumpfile, LOGIN)).failed_stage == makedumpfile


def test_a_sigpipe_with_nothing_failing_after_it_is_the_failure() -> None:
    ok = RunResult(("gzip",), 0)
    assert PipelineResult((CAT, ok)).failed_stage == CAT
    assert PipelineResult((ok, ok)).failed_stage is None
