"""The command table: one entry per command, read by both dispatchers.

kdump.cli runs the commands that machines run (status at boot and by monitoring,
try-reload on every hotplug event, savecore in the capture kernel) straight from this table,
without importing typer (or rich, or pydantic); kdump.typer_app registers every entry with
typer for the rest (help, usage errors, arguments). One table, so the two paths cannot drift.
"""

from __future__ import annotations

from backends.record import Record


class Spec(Record):
    """One command: its word, where its function lives, and how it is run."""

    name: str  # the word on the command line
    module: str  # where the command function lives (imported when run)
    function: str
    doc: str
    mutating: bool = False  # holds the lock
    coalesce: bool = False  # try-reload's queue (kdump.locking.coalesced)
    hidden: bool = False
    reported_as: str = ""  # the command name in JSON documents, if not ``name``

    @property
    def command(self) -> str:
        return self.reported_as or self.name


TABLE: tuple[Spec, ...] = (
    Spec("test", "kdump.commands.report", "test",
         "Dry-run: show the kernel, initrd and kexec command that load would use."),
    Spec("show", "kdump.commands.report", "show",
         "Show dump mode, parameters, state and the last kexec command."),
    Spec("status", "kdump.commands.report", "status",
         "Say whether a capture kernel is loaded (or fadump registered)."),
    Spec("check", "kdump.commands.check", "check",
         "Every readiness check with a remedy; exit 0 ready, 3 not ready, 1 error."),
    Spec("load", "kdump.commands.load", "load",
         "Load the kdump kernel (or register fadump).", mutating=True),
    Spec("unload", "kdump.commands.load", "unload",
         "Unload the kdump kernel (or unregister fadump).", mutating=True),
    Spec("reload", "kdump.commands.load", "reload", "Unload, then load.", mutating=True),
    Spec("try-reload", "kdump.commands.load", "try_reload",
         "Reload only if loaded (memory and CPU hotplug).", mutating=True, coalesce=True),
    Spec("condreload", "kdump.commands.load", "try_reload", "Alias of try-reload.",
         mutating=True, coalesce=True, hidden=True, reported_as="try-reload"),
    Spec("savecore", "kdump.commands.savecore", "savecore",
         "Save /proc/vmcore (in the capture kernel).", mutating=True),
    # Not held for the whole command: ssh-copy-id may wait for a password (propagate
    # takes the lock itself, only while it makes the key).
    Spec("propagate", "kdump.commands.propagate", "propagate",
         "Send the ssh public key to the dump server."),
)

BY_NAME = {spec.name: spec for spec in TABLE}
# What machines run: dispatched without the CLI framework (kdump.cli.main).
# savecore too: it runs in the capture kernel, where every second before the dump is safe
# and every MiB of the reservation counts, and typer with pydantic costs seconds under a
# slow CPU and megabytes of the capture kernel's memory.
FAST = frozenset({"status", "try-reload", "condreload", "savecore"})

# The commands typer registers outside the table (help needs no machine; symlinks takes an
# argument): their one-line help and the arguments they take, for `COMMAND --help`.
OTHERS: dict[str, tuple[str, str]] = {
    "help": ("Print a usage summary.", ""),
    "symlinks": ("Point /var/lib/kdump/{vmlinuz,initrd.img} at a kernel version (and build "
                 "its kdump initrd).", " kernel-version"),
}
