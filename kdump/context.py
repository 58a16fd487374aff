"""What a command works with: the machine, the config, and where to report."""

from __future__ import annotations

from backends.record import Record
from kdump.checks import Finding
from kdump.codes import Code
from kdump.config import Config
from kdump.facts import Facts, gather
from kdump.report import Reporter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from backends.base import Host


class Context(Record, frozen=False):
    """What a command works with: the machine, the config and the reporter."""

    host: Host
    config: Config
    reporter: Reporter
    _facts: Facts | None = None

    @property
    def facts(self) -> Facts:
        if self._facts is None:
            self._facts = gather(self.host)
        return self._facts

    def refresh(self) -> Facts:
        self._facts = None
        return self.facts

    def emit(self, code: Code, **params: object) -> int:
        return self.reporter.emit(code, **params)

    def report(self, finding: Finding) -> int:
        return self.reporter.emit(finding.code, **finding.params)

    @property
    def kexec_cmd_file(self) -> str:
        return f"{self.config.kdump_coredir.rstrip('/')}/kexec_cmd"

    def echo_output(self, stdout: str, stderr: str) -> None:
        """Pass a child's own words through (the original let them reach the terminal)."""
        for line in stdout.splitlines():
            self.reporter.line(line)
        self.reporter.passthrough(stderr)
