"""What a command works with: the machine, the config, and where to report."""

from __future__ import annotations

from backends.values import HostError, UnsafePathError
from kdump.codes import Code
from kdump.config import Config
from kdump.facts import Facts, gather
from kdump.finding import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from backends.base import Host
    from kdump.reporting import Reports

# kdump-config's own state files (kexec_cmd, the kernel hook's size and memory notes) are
# a few hundred bytes; anything larger is not one of them.
STATE_FILE_LIMIT = 64 * 1024


class Context:
    """What a command works with: the machine, the config and the reporter."""

    def __init__(self, host: Host, config: Config, reporter: Reports) -> None:
        self.host = host
        self.config = config
        self.reporter = reporter
        self._facts: Facts | None = None  # gathered on first use, again after refresh()

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

    def read_own_text(self, path: str, say: bool = True) -> str | None:
        """A file kdump-config wrote, read back under the rules it was written by.

        None when it is absent or unreadable, and when it is not ours to trust (another
        user's name in a shared KDUMP_COREDIR, a link, a FIFO, a huge file): that is
        ignored, never read, and said as a warning when ``say``.
        """
        try:
            data = self.host.read_own(path, STATE_FILE_LIMIT + 1)
        except UnsafePathError as exc:
            if say:
                self.emit("path-ignored", path=exc.path, reason=exc.reason)
            return None
        except HostError:
            return None
        if data is not None and len(data) > STATE_FILE_LIMIT:
            if say:
                self.emit("path-ignored", path=path,
                          reason=f"it is larger than {STATE_FILE_LIMIT} bytes")
            return None
        return None if data is None else data.decode("utf-8", "replace")

    def echo_output(self, stdout: str, stderr: str) -> None:
        """Pass a child's own words through (the original let them reach the terminal)."""
        for line in stdout.splitlines():
            self.reporter.line(line)
        self.reporter.passthrough(stderr)
