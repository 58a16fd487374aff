"""kdump/setting.py's edit of USE_KDUMP and the parser's value spans it relies on."""

from __future__ import annotations

import pytest

from kdump.config import ConfigError, load_config
from kdump.configsyntax import parse_assignment_spans
from kdump.setting import with_use_kdump


@pytest.mark.parametrize(("text", "raw"), [
    ("A=1\n", "1"),
    ("A=1   # c\n", "1"),
    ('export A="a b"  # c\r\n', '"a b"'),
    ("A='x'\\\n'y' # c\n", "'x'\\\n'y'"),
    ("A=\n", ""),
    ("A=$B${C}d\n", "$B${C}d"),
    ("A=x\\ y\n", "x\\ y"),
    ("A=1\\\n", "1"),
])
def test_a_value_span_is_the_value_as_written(text: str, raw: str) -> None:
    [(assignment, start, end)] = parse_assignment_spans(text, "f")
    assert text[start:end] == raw and assignment.name == "A"


@pytest.mark.parametrize(("before", "enabled", "after"), [
    ("USE_KDUMP=1   # enabled by ops\n", False, "USE_KDUMP=0   # enabled by ops\n"),
    ("USE_KDUMP=1   # enabled by ops\r\n", False, "USE_KDUMP=0   # enabled by ops\r\n"),
    ("USE_KDUMP=1\t# ops\n", False, "USE_KDUMP=0\t# ops\n"),
    ('export USE_KDUMP="yes"\n', False, 'export USE_KDUMP="no"\n'),
    ("USE_KDUMP=TRUE\n", False, "USE_KDUMP=FALSE\n"),
    ("USE_KDUMP='Off' # x\n", True, "USE_KDUMP='On' # x\n"),
    ("USE_KDUMP=\n", True, "USE_KDUMP=1\n"),
    ('USE_KDUMP=""\n', True, "USE_KDUMP=1\n"),
    ("X=1\nUSE_KDUMP=$X\n", False, "X=1\nUSE_KDUMP=0\n"),
    ("USE_KDUMP=0\nUSE_KDUMP=1 # last wins\n", False, "USE_KDUMP=0\nUSE_KDUMP=0 # last wins\n"),
    ("# nothing set", True, "# nothing set\nUSE_KDUMP=1\n"),
    ("", True, "USE_KDUMP=1\n"),
    ("# \udce9t\udce9\nUSE_KDUMP=yes\n", False, "# \udce9t\udce9\nUSE_KDUMP=no\n"),
])
def test_only_the_value_that_counts_changes(before: str, enabled: bool, after: str) -> None:
    assert with_use_kdump(before, "f", enabled, arch="x86_64") == after
    config, _ = load_config(after, "f", arch="x86_64")
    assert config.use_kdump is enabled


@pytest.mark.parametrize("text", ["USE_KDUMP=1 # x\n", "export USE_KDUMP=On\n"])
def test_a_value_that_already_reads_so_is_left_alone(text: str) -> None:
    assert with_use_kdump(text, "f", True, arch="x86_64") is None
    assert with_use_kdump("USE_KDUMP=0 # x\n", "f", False, arch="x86_64") is None
    assert with_use_kdump(None, "f", False, arch="x86_64") is None


@pytest.mark.parametrize("text", ["USE_KDUMP=1\nX=$(id)\n", "USE_KDUMP=maybe\n",
                                  "USE_KDUMP=1\r\n", "NFS_TIMEO=x\nUSE_KDUMP=1\n"])
def test_a_file_kdump_config_refuses_is_never_edited(text: str) -> None:
    with pytest.raises(ConfigError):
        with_use_kdump(text, "f", False, arch="x86_64")
