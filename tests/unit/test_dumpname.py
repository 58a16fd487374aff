"""kdump.dumpname: the pure decisions of savecore and propagate."""

from __future__ import annotations

import datetime as dt

import pytest

from kdump import dumpname as names


def test_stamp_is_the_twelve_digit_minute() -> None:
    assert names.stamp(dt.datetime(2024, 1, 2, 3, 4, 59)) == "202401020304"


@pytest.mark.parametrize(("stamp", "prefix", "expected"), [
    ("202401010000", "", "202401010000"),
    ("202401010000", "192.0.2.10", "192.0.2.10-202401010000"),
    ("202401010000", "debian", "debian-202401010000"),
])
def test_dump_dir_name(stamp: str, prefix: str, expected: str) -> None:
    assert names.dump_dir_name(stamp, prefix) == expected


@pytest.mark.parametrize(("taken", "expected"), [
    (set(), "202401010000"),
    ({"202401010000"}, "202401010000-1"),
    ({"202401010000", "202401010000-1", "202401010000-2"}, "202401010000-3"),
    ({"202401010000-1"}, "202401010000"),
])
def test_unique_name_never_reuses_a_dump(taken: set[str], expected: str) -> None:
    assert names.unique_name("202401010000", taken) == expected


@pytest.mark.parametrize(("name", "key"), [
    ("202401010000", ("202401010000", 0)),
    ("202401010000-12", ("202401010000", 12)),
    ("20240101000", None),
    ("2024010100000", None),
    ("192.0.2.10-202401010000", None),
    ("2-notes", None),
    ("202401010000-", None),
    ("kexec_cmd", None),
])
def test_only_stamp_names_are_dump_directories(name: str, key: tuple[str, int] | None) -> None:
    assert names.dump_dir_key(name) == key


def _dumps(*dirs: str) -> dict[str, list[str]]:
    """Directories that each hold the complete dump savecore writes there."""
    return {name: [f"dmesg.{name[:12]}", f"dump.{name[:12]}"] for name in dirs}


def test_retention_keeps_the_newest_by_timestamp_not_by_text() -> None:
    dirs = {**_dumps("202401010000-10", "202312310000", "202401010000-2", "202401010000"),
            "notes": []}
    # -10 is newer than -2 although it sorts before it as text
    assert names.retention_victims(dirs, 2, "202401010000-10") == ["202312310000",
                                                                    "202401010000"]


def test_retention_never_removes_the_dump_just_written() -> None:
    # a clock that went backwards makes the new dump look like the oldest
    dirs = _dumps("202001010000", "202401010000", "202401020000")
    assert names.retention_victims(dirs, 2, "202001010000") == ["202401010000"]


@pytest.mark.parametrize(("keep", "expected"), [(0, []), (3, []), (5, []), (1, ["202301010000",
                                                                             "202302010000"])])
def test_retention_limits(keep: int, expected: list[str]) -> None:
    dirs = _dumps("202302010000", "202301010000", "202303010000")
    assert names.retention_victims(dirs, keep, "202303010000") == expected


def test_retention_ignores_what_is_not_a_dump() -> None:
    dirs = {"2-notes": [], "192.0.2.10-202001010000": ["dump.202001010000"],
            **_dumps("202401010000")}
    assert names.retention_victims(dirs, 1, "202401010000") == []


def test_directories_without_a_dump_neither_count_nor_go() -> None:
    # Issue 12, class 6: user-made 2099... directories pushed three real dumps out of
    # KDUMP_NUM_DUMPS=3 and were removed themselves.
    dirs = {**_dumps("202312290000", "202312300000", "202312310000", "202401010000"),
            "209901010000": [], "209901020000": ["notes.txt"], "209901030000": ["dump.x"]}
    assert names.retention_victims(dirs, 3, "202401010000") == ["202312290000"]


@pytest.mark.parametrize("files", [
    [],
    ["dmesg.202312310000"],  # an attempt that saved only the kernel log
    ["dmesg.202312310000", "dump-incomplete", "vmcore-incomplete"],  # a failed attempt
    ["dump-incomplete.gz"],
    ["dump.202312310000.zst"],  # not a compression savecore writes
    ["dump.202312300000"],  # another stamp's dump: not what savecore wrote here
    ["vmcore.202312310000-incomplete"],
    ["Dump.202312310000"],
])
def test_failed_attempts_never_push_a_dump_out(files: list[str]) -> None:
    dirs = {**_dumps("202312300000", "202401010000"), "202312310000": files}
    assert names.retention_victims(dirs, 2, "202401010000") == []
    assert not names.holds_dump("202312310000", files)


@pytest.mark.parametrize("name", ["dump.202312310000", "vmcore.202312310000",
                                  "dump.202312310000.gz", "dump.202312310000.bz2",
                                  "dump.202312310000.xz", "dump.202312310000.lz4"])
def test_every_dump_name_savecore_writes_is_a_dump(name: str) -> None:
    assert names.holds_dump("202312310000", [name])
    assert names.holds_dump("202312310000-4", [name])
    assert not names.holds_dump("192.0.2.10-202312310000", [name])
    assert names.retention_victims({"202312310000": [name], **_dumps("202401010000")}, 1,
                                   "202401010000") == ["202312310000"]


def test_the_dump_just_written_counts_even_if_it_was_not_listed() -> None:
    assert names.retention_victims(_dumps("202312310000"), 1, "202401010000") == [
        "202312310000"]


def test_compression_table() -> None:
    table = {m: (c.program, c.extension) for m, c in names.COMPRESSIONS.items()}
    assert table == {"bzip2": ("bzip2", ".bz2"), "gzip": ("gzip", ".gz"),
                     "lz4": ("lz4", ".lz4"), "xz": ("xz", ".xz")}
    assert names.COMPRESSIONS["xz"].argv("/usr/bin/xz") == ["/usr/bin/xz", "-c"]


@pytest.mark.parametrize(("addresses", "expected"), [
    (["127.0.0.1", "192.0.2.10"], "192.0.2.10"),
    (["192.0.2.10", "172.17.0.1"], "192.0.2.10"),  # a bridge that came up later
    (["127.0.0.1", "169.254.3.4", "10.0.0.5"], "10.0.0.5"),
    (["127.0.0.1"], None),
    ([], None),
    (["not-an-address", "0.0.0.0"], None),
])
def test_the_first_reachable_ipv4_address_names_the_dumps(addresses: list[str],
                                                          expected: str | None) -> None:
    assert names.pick_ipv4(addresses) == expected


@pytest.mark.parametrize(("value", "host", "remote"), [
    ("ftp.example:/incoming", "ftp.example", "/incoming/192.0.2.10-dump.1"),
    ("ftp.example:/incoming/", "ftp.example", "/incoming/192.0.2.10-dump.1"),
    ("ftp.example", "ftp.example", "/192.0.2.10-dump.1"),
    ("ftp.example:", "ftp.example", "/192.0.2.10-dump.1"),
    ("ftp.example:/", "ftp.example", "/192.0.2.10-dump.1"),
    ("ftp.example:incoming", "ftp.example", "incoming/192.0.2.10-dump.1"),
])
def test_ftp_places(value: str, host: str, remote: str) -> None:
    place = names.parse_ftp(value)
    assert place.host == host
    assert place.file("192.0.2.10", "dump.1") == remote


@pytest.mark.parametrize(("hostname", "tag"), [
    ("dumphost", "dumphost"),
    ("db-1.example.org", "db-1.example.org"),
    ("..", "_."),
    ("../../etc", "_._.._etc"),
    ("a/b", "a_b"),
    ("-oProxyCommand=x", "_oProxyCommand_x"),
    (".hidden", "_hidden"),
    ("", "_"),
])
def test_a_hostname_becomes_one_safe_name_component(hostname: str, tag: str) -> None:
    safe = names.safe_tag(hostname)

    assert safe == tag
    assert "/" not in safe and safe not in (".", "..") and not safe.startswith(("-", "."))


def test_an_ftp_run_never_reuses_the_names_of_an_earlier_one() -> None:
    earlier = ["192.0.2.10-dmesg.202401010000", "192.0.2.10-dump.202401010000.xz",
               "192.0.2.10-vmcore.202401010000-1-incomplete", "198.51.100.7-dump.202401010001"]

    assert names.ftp_unique_stamp("202401010000", "192.0.2.10", earlier) == "202401010000-2"
    assert names.ftp_unique_stamp("202401010001", "192.0.2.10", earlier) == "202401010001"
    assert names.ftp_unique_stamp("202401010000", "192.0.2.10", []) == "202401010000"
    assert names.ftp_partial("/in/x-dump.202401010000") == "/in/x-dump.202401010000-incomplete"


# -- retention over a stream: bounded whatever the directory holds ---------------------------


def _stamps(count: int, year: int = 2000) -> list[str]:
    """``count`` distinct dump directory names, in no particular order."""
    base = dt.datetime(year, 1, 1)
    names_ = [names.stamp(base + dt.timedelta(minutes=7 * i)) for i in range(count)]
    return names_[1::2] + names_[::2]  # interleaved: the stream is not sorted


def test_retention_over_20000_dumps_holds_only_what_stays_and_at_most_max_purge() -> None:
    found = _stamps(20_000)
    retention = names.Retention(3, "209912312359")
    for name in found:
        retention.offer(name)
    assert retention.peak <= 2 + names.MAX_PURGE + 1
    oldest = sorted(found)
    assert retention.victims() == oldest[:names.MAX_PURGE]  # the oldest go first
    # The same decision as over a whole listing, for a directory within the cap.
    few = found[:50]
    assert names.retention_victims({n: [f"dump.{n}"] for n in few}, 3, "209912312359") == \
        sorted(few)[:-2]


def test_retention_keeps_the_newest_others_and_never_the_current() -> None:
    retention = names.Retention(2, "202401010000")
    for name in ["202312310000", "202401010000", "202312300000", "202312290000-1",
                 "202312290000"]:
        retention.offer(name)
    assert retention.victims() == ["202312290000", "202312290000-1", "202312300000"]
    nothing = names.Retention(0, "202401010000")
    nothing.offer("202312310000")
    assert nothing.victims() == [] and nothing.peak == 0


def test_a_free_dump_directory_name_from_20000_names_remembers_at_most_its_cap() -> None:
    free = names.FreeDumpDir("202401010000", cap=1000)
    for counter in range(20_000):  # a user filled the minute's names ahead of the crash
        free.see(f"202401010000-{counter}")
        free.see(f"209901010000-{counter}")
    free.see("202401010000")
    assert len(free.used) <= 1001
    assert free.name() == "202401010000-20000"  # above them all
    free.see("202401010000-20000")  # refused (another user's) when it was made: the next
    assert free.name() == "202401010000-20001"
    # The plain cases, as unique_name decides them.
    for taken, expected in [((), "202401010000"), (("202401010000",), "202401010000-1"),
                            (("202401010000-1",), "202401010000"),
                            (("202401010000", "202401010000-01"), "202401010000-1")]:
        chooser = names.FreeDumpDir("202401010000")
        for name in taken:
            chooser.see(name)
        assert chooser.name() == expected == names.unique_name("202401010000", set(taken))


@pytest.mark.parametrize(("file_name", "head", "ok"), [
    ("dump.202401010000", b"makedumpfile\0\0\0\0", True),  # makedumpfile -F
    ("dump.202401010000", b"KDUMP   \x06\0\0\0", True),  # kdump-compressed
    ("dump.202401010000", b"\x7fELF\x02\x01\x01", True),  # makedumpfile -E
    ("dump.202401010000", b"", False),
    ("dump.202401010000", b"planted by another user\n", False),
    ("dump.202401010000.gz", b"\x1f\x8b\x08\0", True),
    ("dump.202401010000.gz", b"makedumpfile", False),  # not what gzip writes
    ("dump.202401010000.bz2", b"BZh91AY&SY", True),
    ("dump.202401010000.xz", b"\xfd7zXZ\0\0\x04", True),
    ("dump.202401010000.lz4", b"\x04\x22\x4d\x18\x60\x70", True),
    ("dump.202401010000.lz4", b"\x02\x21\x4c\x18", True),
    ("dump.202401010000.lz4", b"\x1f\x8b\x08\0", False),
    ("vmcore.202401010000", b"\x7fELF\x02\x01\x01", True),  # the raw copy of /proc/vmcore
    ("vmcore.202401010000", b"makedumpfile\0\0\0\0", False),
])
def test_a_dump_file_starts_as_its_format_does(file_name: str, head: bytes, ok: bool) -> None:
    assert names.dump_header_ok(file_name, head) is ok
