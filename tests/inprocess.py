"""kdump-config run in this process, as a real one would take its output."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout

from kdump.cli import main


def run_in_process(argv: list[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``kdump-config ARGV``, without the caller's KDUMP_*
    and NAME. Both streams take UTF-8 only (strict), as a real stdout does: text one could
    not print fails here too."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="strict")
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("KDUMP_") or k == "NAME"]:
        del os.environ[key]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    out.flush()
    err.flush()
    return (code, out_bytes.getvalue().decode("utf-8", "strict"),
            err_bytes.getvalue().decode("utf-8", "strict"))
