"""The command table: one row per command, the one thing both ways in read.

kdump.cli runs the commands that machines run (status at boot and by monitoring,
try-reload on every hotplug event, savecore in the capture kernel: ``fast``) straight
from this table, without importing typer (or rich, or pydantic); kdump.typer_app
registers every row with typer for the rest. Either way the row is run by kdump.dispatch.dispatch.
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
    arguments: str = ""  # what follows the word, as its usage line shows it (all optional)
    machine: bool = True  # False: run with the reporter only (no backend, no config)
    fast: bool = False  # run without the CLI framework (what machines run)
    # Runs in the capture kernel, where nothing may cost the dump: it goes on without the
    # lock if another command holds it, runs no reload left pending, and sends its journal
    # entries once the dump is safe (structlog's import would come before the dump).
    capture: bool = False

    @property
    def command(self) -> str:
        return self.reported_as or self.name


TABLE: tuple[Spec, ...] = (
    Spec("help", "kdump.commands.show", "help_page", "Print a usage summary.",
         machine=False),
    Spec("test", "kdump.commands.show", "test",
         "Dry-run: show the kernel, initrd and kexec command that load would use."),
    Spec("show", "kdump.commands.show", "show",
         "Show dump mode, parameters, state and the last kexec command."),
    Spec("status", "kdump.commands.show", "status",
         "Say whether a capture kernel is loaded (or fadump registered).", fast=True),
    Spec("check", "kdump.commands.check", "check",
         "Every readiness check with a remedy; exit 0 ready, 3 not ready, 1 error."),
    Spec("load", "kdump.commands.load", "load",
         "Load the kdump kernel (or register fadump).", mutating=True),
    Spec("unload", "kdump.commands.load", "unload",
         "Unload the kdump kernel (or unregister fadump).", mutating=True),
    Spec("reload", "kdump.commands.load", "reload", "Unload, then load.", mutating=True),
    Spec("try-reload", "kdump.commands.load", "try_reload",
         "Reload only if loaded (memory and CPU hotplug).", mutating=True, coalesce=True,
         fast=True),
    Spec("condreload", "kdump.commands.load", "try_reload", "Alias of try-reload.",
         mutating=True, coalesce=True, hidden=True, reported_as="try-reload", fast=True),
    # Fast: savecore runs in the capture kernel, where every second before the dump is safe
    # and every MiB of the reservation counts (typer and pydantic cost both).
    Spec("savecore", "kdump.commands.savecore", "savecore",
         "Save /proc/vmcore (in the capture kernel).", mutating=True, fast=True, capture=True),
    # Not held for the whole command: ssh-copy-id may wait for a password (propagate
    # takes the lock itself, only while it makes the key).
    Spec("propagate", "kdump.commands.propagate", "propagate",
         "Send the ssh public key to the dump server."),
    Spec("symlinks", "kdump.commands.links", "symlinks",
         "Point /var/lib/kdump/{vmlinuz,initrd.img} at a kernel version (and build its "
         "kdump initrd).", mutating=True, arguments=" kernel-version"),
)

BY_NAME = {spec.name: spec for spec in TABLE}
FAST = frozenset(spec.name for spec in TABLE if spec.fast)


class GlobalOption(Record):
    """An option of every command, taken wherever it stands on the command line."""

    option: str
    value: str = ""  # what it takes, as help shows it ("": a flag)
    environment: str = ""  # the variable it defaults from
    field: str = ""  # the kdump.cli.Invocation field its value sets ("": a flag)


GLOBAL_OPTION_ROWS: tuple[GlobalOption, ...] = (
    GlobalOption("--backend", "linux|sim", "KDUMP_BACKEND", "backend"),
    GlobalOption("--root", "DIR", "KDUMP_ROOT", "root"),
    GlobalOption("--sim-state", "DIR", "KDUMP_SIM_STATE", "sim_state"),
    GlobalOption("--json"),
)
