"""kdump.reporter: lsb-style rendering, colour rules, streams, --json and the syslog sink."""

from __future__ import annotations

import io
import json

import pytest

from kdump.messages import CATALOG
from kdump.reporter import SCHEMA_VERSION, Reporter, fancy_terminal, printable, render

RED, YELLOW, RESET = "\033[31m", "\033[33m", "\033[0m"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class Sink:
    """A log sink (Host.syslog) that records (tag, message) and the journal fields."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str]] = []
        self.fields: list[dict[str, str]] = []

    def __call__(self, tag: str, message: str, fields: dict[str, str]) -> None:
        self.records.append((tag, message))
        self.fields.append(fields)


def reporter(**kwargs: object) -> Reporter:
    kwargs.setdefault("out", io.StringIO())
    kwargs.setdefault("err", io.StringIO())
    return Reporter(**kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")


# -- render ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "line"),
    [
        ("failure", "X ... failed!"),
        ("warning", "X ... (warning)."),
        ("action", "X."),
        ("success", "X."),
        ("plain", "X"),
    ],
)
def test_render_plain(severity: str, line: str) -> None:
    assert render(severity, "X") == line


@pytest.mark.parametrize(
    ("severity", "line"),
    [
        ("failure", f"X ... {RED}failed!{RESET}"),
        ("warning", f"X ... {YELLOW}(warning).{RESET}"),
        ("action", "X."),
        ("success", "X."),
        ("plain", "X"),
    ],
)
def test_render_colour(severity: str, line: str) -> None:
    assert render(severity, "X", colour=True) == line


@pytest.mark.parametrize(
    ("tty", "term", "fancy"),
    [
        (True, "xterm-256color", True),
        (True, "linux", True),
        (True, "dumb", False),
        (True, "", False),
        (True, None, False),
        (False, "xterm-256color", False),
    ],
)
def test_fancy_terminal(monkeypatch: pytest.MonkeyPatch, tty: bool, term: str | None,
                        fancy: bool) -> None:
    if term is None:
        monkeypatch.delenv("TERM", raising=False)
    else:
        monkeypatch.setenv("TERM", term)
    stream = Tty() if tty else io.StringIO()
    assert fancy_terminal(stream) is fancy


# -- Reporter.emit ---------------------------------------------------------------------------


def test_failure_warning_action_and_plain_messages_on_stdout() -> None:
    rep = reporter()
    assert rep.emit("kdump-not-supported") == 1
    assert rep.emit("no-kdump-initrd", path="/boot/initrd.img-x") == 0
    assert rep.emit("loaded") == 0
    assert rep.emit("state-ready", mode="kdump") == 0
    assert rep.out.getvalue() == (
        "kdump is not supported by this kernel ... failed!\n"
        "no kdump initrd image: /boot/initrd.img-x ... (warning).\n"
        "an initrd will not be used ... (warning).\n"
        "loaded kdump kernel.\n"
        "current state   : ready to kdump\n"
    )
    assert rep.err.getvalue() == ""
    assert rep.codes() == ["kdump-not-supported", "no-kdump-initrd", "loaded", "state-ready"]
    assert rep.has_failure()


def test_no_failure_recorded() -> None:
    rep = reporter()
    rep.emit("loaded")
    rep.emit("no-kdump-initrd", path="x")
    assert not rep.has_failure()


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    tty = reporter(out=Tty())
    tty.emit("kdump-not-supported")
    tty.emit("no-kdump-initrd", path="p")
    tty.emit("loaded")
    assert tty.out.getvalue() == (
        f"kdump is not supported by this kernel ... {RED}failed!{RESET}\n"
        f"no kdump initrd image: p ... {YELLOW}(warning).{RESET}\n"
        f"an initrd will not be used ... {YELLOW}(warning).{RESET}\n"
        "loaded kdump kernel.\n"
    )
    pipe = reporter()
    pipe.emit("kdump-not-supported")
    assert "\033" not in pipe.out.getvalue()
    monkeypatch.setenv("TERM", "dumb")
    dumb = reporter(out=Tty())
    dumb.emit("kdump-not-supported")
    assert dumb.out.getvalue() == "kdump is not supported by this kernel ... failed!\n"


@pytest.mark.parametrize(
    ("code", "params", "lines"),
    [
        ("no-kdump-kernel", {"config": "/etc/default/kdump-tools"},
         ["no KDUMP_KERNEL in /etc/default/kdump-tools and ... failed!",
          "can't find a kdump package directory in /usr/lib ... failed!"]),
        ("kdump-package-broken", {"pkg_dir": "/usr/lib/linux-kdump-6.1"},
         ["found a linux-kdump package in /usr/lib/linux-kdump-6.1 ... failed!",
          "but can't find a kdump kernel in /usr/lib/linux-kdump-6.1 ... failed!"]),
        ("fadump-not-configured", {},
         ["fadump is not configured in this kernel. ... failed!",
          'Try passing "fadump=on" to enable fadump ... failed!']),
    ],
)
def test_two_line_messages_render_each_line(code: str, params: dict[str, object],
                                            lines: list[str]) -> None:
    rep = reporter()
    rep.emit(code, **params)
    assert rep.out.getvalue().splitlines() == lines


def test_name_prefix_comes_from_the_reporter_name() -> None:
    rep = reporter(name="kdump-tools")
    rep.emit("vmcore-saved", where="/var/crash/202401021530")
    assert rep.out.getvalue() == "kdump-tools: saved vmcore in /var/crash/202401021530.\n"


def test_stderr_messages_go_to_stderr() -> None:
    rep = reporter()
    rep.emit("compression-missing", method="zstd", tool="zstd")
    rep.emit("no-ip")
    rep.emit("hosttag-fallback")
    assert rep.out.getvalue() == ""
    assert rep.err.getvalue() == (
        "Error: Compression set to zstd, but zstd command not found. Disabling compression.\n"
        "Unable to get IP from network ... failed!\n"
        "Reverting to HOSTTAG=hostname.\n"
    )
    assert all(CATALOG[code].stderr for code in rep.codes())


def test_stderr_colour_follows_stderr_not_stdout() -> None:
    rep = reporter(out=io.StringIO(), err=Tty())
    rep.emit("no-ip")
    assert rep.err.getvalue() == f"Unable to get IP from network ... {RED}failed!{RESET}\n"


def test_emit_indented_indents_every_line() -> None:
    rep = reporter()
    rep.emit_indented("no-kexec-command", "  ", {})
    rep.emit_indented("no-kdump-kernel", "> ", {"config": "c"})
    assert rep.out.getvalue().splitlines() == [
        "  no kexec command recorded",
        "> no KDUMP_KERNEL in c and ... failed!",
        "> can't find a kdump package directory in /usr/lib ... failed!",
    ]


def test_report_lines_are_verbatim() -> None:
    rep = reporter()
    rep.line("DUMP_MODE:\t\tkdump")
    rep.line()
    assert rep.out.getvalue() == "DUMP_MODE:\t\tkdump\n\n"
    assert rep.emitted == []


# -- --json ----------------------------------------------------------------------------------


def test_json_mode_prints_nothing_and_documents_codes() -> None:
    rep = reporter(json_mode=True)
    rep.emit("use-kdump-off", config="/etc/default/kdump-tools")
    rep.emit("no-kdump-kernel", config="/etc/default/kdump-tools")
    rep.emit("compression-unsupported", method="lz77")
    rep.line("DUMP_MODE:\t\tkdump")
    assert rep.out.getvalue() == "" and rep.err.getvalue() == ""
    document = json.loads(rep.json_document("load", 1, {"dump_mode": "kdump"}))
    assert document["schema_version"] == SCHEMA_VERSION == 1
    assert document["command"] == "load" and document["exit_code"] == 1
    assert document["dump_mode"] == "kdump"
    assert document["messages"] == [
        {"code": "use-kdump-off", "severity": "failure",
         "text": "/etc/default/kdump-tools: USE_KDUMP is not set or zero"},
        {"code": "no-kdump-kernel", "severity": "failure",
         "text": "no KDUMP_KERNEL in /etc/default/kdump-tools and\n"
                 "can't find a kdump package directory in /usr/lib"},
        {"code": "compression-unsupported", "severity": "plain",
         "text": "Error: Compression 'lz77' not supported. Disabling compression."},
    ]


def test_json_text_never_carries_rendering() -> None:
    rep = reporter(json_mode=True, out=Tty())
    rep.emit("kdump-not-supported")
    text = json.loads(rep.json_document("show", 0, {}))["messages"][0]["text"]
    assert text == "kdump is not supported by this kernel"


# -- syslog ----------------------------------------------------------------------------------


def test_syslog_flagged_messages_reach_the_sink_without_the_name_prefix() -> None:
    sink = Sink()
    rep = reporter(name="kdump-tools", syslog=sink)
    rep.emit("vmcore-save-failed", where="/var/crash/202401021530")
    rep.emit("loaded")
    assert rep.out.getvalue() == (
        "kdump-tools: failed to save vmcore in /var/crash/202401021530 ... failed!\n"
        "loaded kdump kernel.\n"
    )
    assert sink.records == [
        ("kdump-tools", "failed to save vmcore in /var/crash/202401021530"),
        ("kdump-tools", "loaded kdump kernel"),
    ]


def test_held_journal_entries_go_in_order_at_a_failure_and_at_the_release() -> None:
    # savecore keeps its journal entries back while the dump is not safe (the first entry
    # imports structlog): what it prints is not held, a failure sends everything kept
    # before it at once, and the release sends the rest.
    sink = Sink()
    rep = reporter(name="kdump-tools", syslog=sink)
    rep.hold_journal()
    rep.emit("dmesg-saved", where="/var/crash/1")
    assert sink.records == []
    assert rep.out.getvalue() == "kdump-tools: saved dmesg content in /var/crash/1.\n"
    rep.emit("vmcore-save-failed", where="/var/crash/1")
    assert sink.records == [("kdump-tools", "saved dmesg content in /var/crash/1"),
                            ("kdump-tools", "failed to save vmcore in /var/crash/1")]
    rep.emit("vmcore-saved", where="/var/crash/2")
    assert len(sink.records) == 2
    rep.release_journal()
    assert sink.records[2:] == [("kdump-tools", "saved vmcore in /var/crash/2")]
    rep.emit("loaded")  # released: no longer held
    assert sink.records[3:] == [("kdump-tools", "loaded kdump kernel")]


def test_messages_not_flagged_for_syslog_stay_off_it() -> None:
    sink = Sink()
    rep = reporter(syslog=sink)
    rep.emit("kdump-not-supported")
    rep.emit("invalid-symlink", link="/var/lib/kdump/vmlinuz")
    rep.emit("running-cp", vmcore="/proc/vmcore", path="/var/crash/x/vmcore.x")
    assert sink.records == []


def test_syslog_in_json_mode_and_with_a_new_sink() -> None:
    first, second = Sink(), Sink()
    reporter(syslog=first, json_mode=True).emit("unloaded")
    reporter(syslog=second).emit("host-error", detail="write /x: Permission denied")
    assert first.records == [("kdump-config", "unloaded kdump kernel")]
    assert second.records == [("kdump-config", "write /x: Permission denied")]


def test_journal_fields_carry_the_code_severity_and_command() -> None:
    sink = Sink()
    reporter(syslog=sink, command="savecore").emit("nfs-mount-failed", nfs="h:/x")
    reporter(syslog=sink, name="kdump-tools").log("kexec-command", command="kexec -p k")
    failed, command = sink.fields
    assert (failed["KDUMP_CODE"], failed["KDUMP_SEVERITY"], failed["PRIORITY"],
            failed["KDUMP_COMMAND"], failed["SYSLOG_IDENTIFIER"]) == \
        ("nfs-mount-failed", "failure", "3", "savecore", "kdump-config")
    assert failed["MESSAGE"] == "Unable to mount remote NFS directory h:/x. Cannot save core"
    assert len(failed["MESSAGE_ID"]) == 32
    assert (command["MESSAGE"], command["SYSLOG_IDENTIFIER"], command["PRIORITY"]) == \
        ("kexec -p k", "kdump-tools", "5")
    assert "KDUMP_COMMAND" not in command  # no command given


def test_a_journal_only_message_is_never_shown() -> None:
    rep = reporter(syslog=Sink())
    rep.log("estimate-below-minimum", raw=100, surplus=20)
    assert rep.out.getvalue() == "" and rep.err.getvalue() == "" and rep.emitted == []


def test_no_sink_is_fine() -> None:
    rep = reporter()
    assert rep.emit("load-failed") == 1
    assert rep.out.getvalue() == "failed to load kdump kernel ... failed!\n"


# -- the one rendering rule: control characters and bytes that are not UTF-8 -----------------


@pytest.mark.parametrize(("raw", "shown"), [
    ("/var/crash", "/var/crash"),
    ("a\nb", "a\\nb"),
    ("a\rb\tc", "a\\rb\\tc"),
    ("\x1b[31mred", "\\x1b[31mred"),
    ("\x00\x07\x7f", "\\x00\\x07\\x7f"),
    ("\x9b2J", "\\u009b2J"),  # a C1 control: the 8-bit CSI
    ("caf\u00e9 \u2192", "caf\u00e9 \u2192"),  # text that is not ASCII stays
    ("back\\slash", "back\\slash"),
    ("\udcff\udcfe", "\\xff\\xfe"),  # bytes that are not UTF-8 (surrogateescape)
])
def test_printable_shows_every_control_character(raw: str, shown: str) -> None:
    assert printable(raw) == shown
    shown.encode("utf-8")  # strict


def test_printable_keeps_only_what_it_is_told_to() -> None:
    assert printable("a\tb\nc\x1b", keep="\t") == "a\tb\\nc\\x1b"
    assert printable("a\tb\nc\x1b", keep="\n\t") == "a\tb\nc\\x1b"


def test_no_catalog_template_holds_a_control_character() -> None:
    # So escaping a message's lines escapes exactly what its parameters brought.
    for message in CATALOG.values():
        for line in (message.template, *message.more):
            assert printable(line) == line, message.code


@pytest.mark.parametrize(("code", "params"), [
    ("invalid-kernel-version", {"version": "6.1\x1b[2J\ncurrent state   : ready to kdump"}),
    ("creating-symlink", {"link": "/var/lib/kdump/\x1b]0;owned\x07vmlinuz"}),
    ("path-refused", {"path": "/var/crash/\nloaded kdump kernel", "reason": "it is \x9b"}),
    ("config-value", {"detail": "/etc/default/kdump-tools:2: X='\r\x1b[1A'"}),
])
def test_every_message_parameter_is_shown_escaped(code: str, params: dict[str, object]) -> None:
    rep = reporter()
    rep.emit(code, **params)  # type: ignore[arg-type]
    shown = rep.out.getvalue() + rep.err.getvalue()
    assert shown.count("\n") == len(CATALOG[code].more) + 1  # its own lines, none forged
    assert not any(ord(c) < 0x20 and c != "\n" or 0x7F <= ord(c) < 0xA0 for c in shown)


def test_a_journal_line_carries_no_raw_control_character() -> None:
    sink = Sink()
    reporter(syslog=sink).emit("path-refused", path="/var/crash/\nkdump-config: loaded",
                               reason="x")
    assert "\n" not in sink.records[0][1] and "\\n" in sink.records[0][1]


def test_report_lines_keep_their_layout_tabs_but_nothing_else() -> None:
    rep = reporter()
    rep.line("KDUMP_COREDIR:\t\t/var/crash\ncurrent state   : ready to kdump\x1b[0m")
    assert rep.out.getvalue() == \
        "KDUMP_COREDIR:\t\t/var/crash\\ncurrent state   : ready to kdump\\x1b[0m\n"


def test_a_programs_own_words_keep_their_lines_but_no_escape_sequence() -> None:
    rep = reporter()
    rep.passthrough("mkinitramfs: \x1b[31mfailed\x1b[0m\nsee /var/log/x\r")
    assert rep.err.getvalue() == "mkinitramfs: \\x1b[31mfailed\\x1b[0m\nsee /var/log/x\\r\n"
    quiet = reporter(json_mode=True)
    quiet.passthrough("anything\n")
    assert quiet.err.getvalue() == ""


def test_a_json_document_is_valid_utf8_whatever_its_data_holds() -> None:
    rep = reporter(json_mode=True)
    rep.emit("invalid-kernel-version", version="6.1\udcff")
    text = rep.json_document("show", 0, {"kdump_kernel": {"link_target": "/boot/\x1b\udcff"},
                                         "names": ["\udc80", {"k\udcfe": 1}]})
    document = json.loads(text)
    assert document["kdump_kernel"]["link_target"] == "/boot/\x1b\\xff"  # JSON's own escape
    assert document["names"] == ["\\x80", {"k\\xfe": 1}]
    assert document["messages"][0]["text"] == "Invalid kernel version : 6.1\\xff"
    json.dumps(document, ensure_ascii=False).encode("utf-8")  # strict: no lone surrogate
