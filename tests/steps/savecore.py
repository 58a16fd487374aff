"""Steps for savecore and propagate: crashed machines, dump files, servers, programs run.

A *location* is a path on the machine (``/var/crash/...``) or on one of its
servers: ``nfs://SERVER/EXPORT/...``, ``ssh://HOST/PATH``, ``ftp://HOST/PATH``.
Everything goes through TestMachine, so the scenarios run on every backend.
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import lzma
import os
import re
import shlex
import struct
from pathlib import Path

from pytest_bdd import given, parsers, then, when

from tests.steps.common import CONFIG, programs_run
from tests.steps.machine import CliResult, TestMachine

PANIC_LINE = b"Kernel panic - not syncing"
_REMOTE_KINDS = ("nfs", "ssh", "ftp")


def locate(machine: TestMachine, where: str) -> Path:
    for kind in _REMOTE_KINDS:
        scheme = f"{kind}://"
        if where.startswith(scheme):
            host, _, path = where[len(scheme):].partition("/")
            return machine.remote_path(kind, host, path)
    return machine.host_path(where)


def _last(machine: TestMachine) -> CliResult:
    assert machine.last is not None, "no kdump-config command has run in this scenario"
    return machine.last


def _runs_of(machine: TestMachine, program: str) -> list[list[str]]:
    return [argv for argv in programs_run(machine) if os.path.basename(argv[0]) == program]


# -- Given ---------------------------------------------------------------------------------------
@given(parsers.parse('the machine "{profile}" has crashed into its capture kernel'))
def given_crashed_profile(machine: TestMachine, profile: str) -> None:
    machine.build(profile)
    result = machine.run("kdump-config load")
    assert result.exit_code == 0, result.stdout + result.stderr
    machine.crash()


@given(parsers.re(r'the config sets (?P<key>[A-Z_]+) to ""'))
def given_config_empty(machine: TestMachine, key: str) -> None:
    # (the shared step needs a non-empty value; an empty one means "the default")
    text = machine.read(CONFIG) or ""
    kept = [line for line in text.splitlines() if not re.match(rf"\s*(export\s+)?{key}=", line)]
    machine.write(CONFIG, "\n".join([*kept, f"{key}="]) + "\n")


@when("the machine crashes")
def when_crash(machine: TestMachine) -> None:
    machine.crash()


@given(parsers.parse('an earlier dump in "{where}"'))
def given_earlier_dump(machine: TestMachine, where: str) -> None:
    directory = locate(machine, where)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    # Starts as makedumpfile -F output does: retention counts only what looks like a dump.
    (directory / f"dump.{directory.name}").write_bytes(b"makedumpfile\0\0\0\0an earlier dump\n")


@given(parsers.parse('an empty directory "{where}"'))
def given_empty_directory(machine: TestMachine, where: str) -> None:
    locate(machine, where).mkdir(parents=True, exist_ok=True)


@given(parsers.parse('"{command}" has run and failed'))
def given_command_failed(machine: TestMachine, command: str) -> None:
    result = machine.run(command)
    assert result.exit_code != 0, f"{command} succeeded:\n{result.stdout}{result.stderr}"


@given(parsers.parse('the fault "{name}" is disarmed'))
def given_fault_disarmed(machine: TestMachine, name: str) -> None:
    machine.machine.clear_fault(name)


# -- Then: what is stored --------------------------------------------------------------------------
@then(parsers.parse('the dump directory "{where}" holds exactly:'))
def then_dump_directory(machine: TestMachine, where: str, docstring: str) -> None:
    directory = locate(machine, where)
    assert directory.is_dir(), f"{where} is not a directory"
    found = [f"{name} {os.stat(directory / name).st_mode & 0o777:04o}"
             for name in sorted(os.listdir(directory))]
    assert found == docstring.splitlines(), found


@then(parsers.parse('the dump directory "{where}" has mode {mode}'))
def then_dump_directory_mode(machine: TestMachine, where: str, mode: str) -> None:
    actual = os.stat(locate(machine, where)).st_mode & 0o777
    assert actual == int(mode, 8), f"{where}: {actual:04o}"


@then(parsers.parse('the dump location "{where}" does not exist'))
def then_location_absent(machine: TestMachine, where: str) -> None:
    assert not os.path.lexists(locate(machine, where)), f"{where} exists"


@then(parsers.parse('the dump location "{where}" exists'))
def then_location_present(machine: TestMachine, where: str) -> None:
    assert os.path.lexists(locate(machine, where)), f"{where} is missing"


def _decompress(data: bytes, compression: str) -> bytes:
    if compression == "gzip":
        return gzip.decompress(data)
    if compression == "bzip2":
        return bz2.decompress(data)
    if compression == "xz":
        return lzma.decompress(data, format=lzma.FORMAT_XZ)
    if compression == "lz4":
        return lz4_stored_blocks(data)
    raise AssertionError(f"unknown compression {compression}")


def lz4_stored_blocks(frame: bytes) -> bytes:
    """Decode an LZ4 frame whose blocks are stored (what the simulated lz4 writes)."""
    assert frame[:4] == b"\x04\x22\x4d\x18", "not an LZ4 frame"
    index, out = 7, list[bytes]()
    while True:
        (size,) = struct.unpack_from("<I", frame, index)
        index += 4
        if size == 0:
            return b"".join(out)
        assert size & 0x80000000, "compressed LZ4 blocks are not expected here"
        size &= 0x7FFFFFFF
        out.append(frame[index:index + size])
        index += size


def flattened_complete(data: bytes) -> bool:
    """A makedumpfile -F stream: its signature, whole blocks, and the end marker."""
    if not data.startswith(b"makedumpfile\0"):
        return False
    index = 4096
    while index + 16 <= len(data):
        offset, size = struct.unpack_from(">qq", data, index)
        index += 16
        if offset == -1 and size == -1:
            return index == len(data)
        index += size
    return False


@then(parsers.parse('the dump file "{where}" is a flattened makedumpfile dump'))
def then_flattened(machine: TestMachine, where: str) -> None:
    assert flattened_complete(locate(machine, where).read_bytes()), f"{where}: not a whole dump"


@then(parsers.parse('the dump file "{where}" is a {compression}-compressed flattened '
                    'makedumpfile dump'))
def then_compressed(machine: TestMachine, where: str, compression: str) -> None:
    data = _decompress(locate(machine, where).read_bytes(), compression)
    assert flattened_complete(data), f"{where}: not a whole dump"


@then(parsers.parse('the dump file "{where}" is a copy of the vmcore'))
def then_vmcore_copy(machine: TestMachine, where: str) -> None:
    stored, vmcore = locate(machine, where), machine.host_path("/proc/vmcore")
    assert stored.stat().st_size == vmcore.stat().st_size
    assert stored.read_bytes() == vmcore.read_bytes()


@then(parsers.parse('the dump file "{where}" is the kernel log'))
def then_kernel_log(machine: TestMachine, where: str) -> None:
    assert PANIC_LINE in locate(machine, where).read_bytes()


@then(parsers.parse('the dump file "{where}" contains "{text}"'))
def then_location_contains(machine: TestMachine, where: str, text: str) -> None:
    assert text in locate(machine, where).read_text()


# -- Then: what was run ----------------------------------------------------------------------------
@then(parsers.parse('"{program}" was run with "{words}"'))
def then_run_with(machine: TestMachine, program: str, words: str) -> None:
    wanted = shlex.split(words)
    runs = _runs_of(machine, program)
    assert any(argv[i:i + len(wanted)] == wanted
               for argv in runs for i in range(len(argv))), runs



@then(parsers.parse('"{partial}" was flushed, renamed to "{final}", then its directory '
                    'flushed'))
def then_durable_rename(machine: TestMachine, partial: str, final: str) -> None:
    """A dump gets its final name only once its bytes are on disk, and the name too after."""
    machine.observe("durability")
    steps = [("fsync", partial), ("rename", partial, final), ("fsync", os.path.dirname(final))]
    done = [("fsync", str(e["path"])) if e["op"] == "fsync" else
            ("rename", str(e["src"]), str(e["dst"])) for e in machine.effects()
            if e.get("op") in ("fsync", "rename")]
    position = 0
    for step in steps:
        assert step in done[position:], f"{step} missing in order from {done}"
        position = done.index(step, position) + 1


@then(parsers.parse("the clock advanced by {seconds:d} seconds since the crash"))
def then_clock(machine: TestMachine, seconds: int) -> None:
    machine.observe("virtual-clock")
    start = dt.datetime.fromisoformat(machine.machine.state["crashed_at"])
    assert machine.machine.now() - start == dt.timedelta(seconds=seconds), machine.machine.now()


@then("every program that never finishes was stopped at the deadline")
def then_hangs_stopped(machine: TestMachine) -> None:
    # A stub that hangs records "hang"; one that was not killed records "hang-outlived"
    # when it gives up (the simulator refuses a hang without a deadline outright).
    effects = list(machine.effects())
    assert any(effect.get("op") == "hang" for effect in effects), "nothing hung"
    outlived = [effect for effect in effects if effect.get("op") == "hang-outlived"]
    assert not outlived, outlived


@then(parsers.parse('the syslog contains "{text}"'))
def then_syslog(machine: TestMachine, text: str) -> None:
    log = machine.state_dir / "syslog"
    content = log.read_text() if log.is_file() else ""
    assert text in content, content


@then(parsers.parse('"{secret}" appears in no output, effect or log'))
def then_secret_hidden(machine: TestMachine, secret: str) -> None:
    result = _last(machine)
    places = {"stdout": result.stdout, "stderr": result.stderr}
    for name in ("effects.jsonl", "syslog"):
        path = machine.state_dir / name
        places[name] = path.read_text() if path.is_file() else ""
    leaks = [name for name, text in places.items() if secret in text]
    assert not leaks, f"{secret!r} found in {leaks}"


def _journal_entries(machine: TestMachine, code: str) -> list[dict[str, str]]:
    from sim.machine import SimulatedMachine

    return [entry for entry in SimulatedMachine(machine.state_dir).journal()
            if entry.get("KDUMP_CODE") == code]


@then(parsers.parse('the journal holds "{code}" from "{command}"'))
def then_journal_holds(machine: TestMachine, code: str, command: str) -> None:
    # What `journalctl MESSAGE_ID=...` finds: the fields kdump/logging.py sends, recorded
    # by the simulated machine (and by the sandbox's stand-in for the journal).
    from kdump.logging import PRIORITY, message_id
    from kdump.messages import CATALOG

    entries = _journal_entries(machine, code)
    assert entries, f"no journal entry for {code}"
    entry = entries[-1]
    assert entry["MESSAGE_ID"] == message_id(code)
    assert len(entry["MESSAGE_ID"]) == 32 and int(entry["MESSAGE_ID"], 16) >= 0
    assert entry["PRIORITY"] == str(PRIORITY[CATALOG[code].severity])
    assert entry["SYSLOG_IDENTIFIER"] == "kdump-config"
    assert entry["KDUMP_COMMAND"] == command
    assert entry["MESSAGE"]


@then(parsers.parse('the journal entry "{code}" says "{text}"'))
def then_journal_says(machine: TestMachine, code: str, text: str) -> None:
    messages = [entry["MESSAGE"] for entry in _journal_entries(machine, code)]
    assert any(text in message for message in messages), messages
