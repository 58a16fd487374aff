"""The systemd guest's steps 2-5 (boot, hotplug, crash, purge) against one booted guest,
each check asserted and timed, with the hard limit of every wait."""

from __future__ import annotations

import argparse
import re
import subprocess
import time
from pathlib import Path

from harness import capture_probe, verify
from harness.agent import Agent, Console, Result, Stuck
from harness.cli import Timer
from harness.systemd_evidence import (
    DUMP_UNIT,
    LOAD_ENTRY,
    LOADED,
    LOADED_MESSAGE_ID,
    READY,
    STAMP,
    hotplug_evidence,
)
from harness.targets import (
    COMMON,
    GUEST_IP,
    Servers,
    Target,
    env_for_propagate,
    incomplete_left,
    with_target,
)

# Hard limits (seconds, before --timeout-scale), about 3x what this machine takes under TCG
# with another guest's worth of load beside it.
T_BOOT = 300  # QEMU start to the agent's hello, first kernel
T_SETTLE = 900  # hello to kdump-tools.service done (the first boot may build the initrd)
T_CMD = 180  # one command in the guest
T_CRASH_TO_CAPTURE = 120  # sysrq to the capture kernel's banner
T_CAPTURE = 900  # capture kernel banner to the reboot's banner (boot, savecore, reboot)
T_POWEROFF = 180

CONFIG = "/etc/default/kdump-tools"
ASKPASS = "/root/e2e-askpass"
# savecore's entry for a saved vmcore (catalog codes vmcore-saved and ftp-vmcore-saved;
# Debian's kdump-config logs the same words).
SAVED = re.compile(r"saved vmcore (via FTP )?in")
# savecore looking for the network (catalog codes no-ip, network-retry): it started before
# the capture boot's network was up.
NO_NETWORK = re.compile(r"Unable to get IP from network|Network not reachable")


class Failed(Exception):
    pass


class Steps:
    """Runs the steps against one booted guest; every check appends to self.problems."""

    def __init__(self, args: argparse.Namespace, timer: Timer, out: Path) -> None:
        self.args = args
        self.timer = timer
        self.out = out
        self.scale = args.timeout_scale
        self.problems: list[str] = []
        self.step = ""
        self.reference = False  # Debian's kdump-tools under test, not the project's package
        # What the capture cost (bench/capture.py reads it from result.json): seconds from
        # the sysrq, memory from the capture probe (harness/capture_probe.py).
        self.measure: dict[str, object] = {}
        self.release = ""  # the guest kernel's release (the dumps' checks)
        self.cycles: dict[str, float] = {}  # target -> sysrq to ready again, seconds

    def t(self, seconds: float) -> float:
        return seconds * self.scale

    def fail(self, msg: str) -> None:
        self.problems.append(f"step {self.step}: {msg}")
        print(f"    FAIL {msg}", flush=True)

    def ok(self, msg: str) -> None:
        print(f"    ok   {msg}", flush=True)

    def expect(self, cond: bool, good: str, bad: str) -> bool:
        if cond:
            self.ok(good)
        else:
            self.fail(bad)
        return cond

    # ------------------------------------------------------------------ guest helpers ------

    def run(self, *argv: str, timeout: float = T_CMD, input: str = "") -> Result:
        res = self.agent.run(list(argv), self.t(timeout), input)
        with open(self.out / "agent.log", "a") as f:
            f.write(f"$ {' '.join(argv)}   # rc={res.rc} {res.seconds} s\n{res.out}{res.err}\n")
        return res

    def wait_service(self, unit: str) -> str:
        """Wait until the unit is no longer starting; its ActiveState."""
        deadline = time.monotonic() + self.t(T_SETTLE)
        while True:
            res = self.run("systemctl", "show", "-P", "ActiveState", unit)
            state = res.out.strip()
            # A start job can be queued (and journalled as "Starting") while the unit still
            # shows inactive: seen right after a capture's reboot, on a loaded machine.
            queued = state == "inactive" and self.run(
                "systemctl", "list-jobs", "--no-legend", "--no-pager", unit).out.strip()
            if (state not in ("activating", "reloading", "") and not queued) \
                    or time.monotonic() > deadline:
                return state
            time.sleep(2)

    def service_idle(self, unit: str) -> bool:
        """Active, not reloading, and no job queued for it: a reload asked for while another
        runs waits in systemd's job queue, and the unit looks "active" in between."""
        state = self.run("systemctl", "show", "-P", "ActiveState", unit).out.strip()
        jobs = self.run("systemctl", "list-jobs", "--no-legend", "--no-pager", unit).out.strip()
        return state == "active" and not jobs

    def journal_cursor(self) -> str:
        res = self.run("journalctl", "-n", "0", "--show-cursor", "--no-pager")
        m = re.search(r"-- cursor: (\S+)", res.out)
        return m.group(1) if m else ""

    def journal(self, *extra: str, cursor: str = "") -> str:
        args = ["journalctl", "--no-pager", "-o", "short-monotonic", *extra]
        if cursor:
            args += ["--after-cursor", cursor]
        return self.run(*args).out

    def ready_checks(self, when: str) -> None:
        """kdump-tools.service active, status ready, check 0, load in this boot's journal."""
        with self.timer.phase(f"{when}: kdump-tools.service settles"):
            state = self.wait_service("kdump-tools.service")
        if not self.expect(
            state == "active", "kdump-tools.service is active", f"kdump-tools.service is {state!r}"
        ):
            print(
                self.run("systemctl", "status", "--no-pager", "-l", "kdump-tools.service").out[
                    -2000:
                ]
            )
        with self.timer.phase(f"{when}: kdump-config status"):
            res = self.run("kdump-config", "status")
        self.expect(
            res.rc == 0 and bool(READY.search(res.out)),
            "`kdump-config status` says ready to kdump",
            f"status: {res}",
        )
        if self.reference:
            self.ok("(`kdump-config check` skipped: Debian's kdump-config has no check)")
        else:
            with self.timer.phase(f"{when}: kdump-config check"):
                res = self.run("kdump-config", "check")
            self.expect(res.rc == 0, "`kdump-config check` exits 0", f"check: {res}")
        entries = [line for line in self.journal("-b").splitlines() if LOADED.search(line)]
        self.expect(
            bool(entries),
            f"journal has the load entry: {entries[-1] if entries else ''}",
            f"no {LOAD_ENTRY!r} in this boot's journal",
        )
        if not self.reference:  # Debian's kdump-config logs plain text only
            fields = self.run("journalctl", "-b", "--no-pager", "-o", "verbose",
                              f"MESSAGE_ID={LOADED_MESSAGE_ID}").out
            self.expect(
                "KDUMP_CODE=loaded" in fields and "PRIORITY=5" in fields,
                f"journalctl MESSAGE_ID={LOADED_MESSAGE_ID} finds the load, with its fields",
                f"no structured load entry (MESSAGE_ID={LOADED_MESSAGE_ID}): {fields[-300:]!r}",
            )

    # ------------------------------------------------------------------ the steps ----------

    def boot(self, argv: list[str]) -> None:
        self.step = "2 boot"
        print("== step 2: boot, kdump-tools.service loads", flush=True)
        sock = self.out / "agent.sock"
        (self.out / "qemu.argv").write_text("\0".join(argv) + "\0")
        self.t_qemu = time.monotonic()
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.console = Console(self.proc, self.out / "serial.log")
        self.agent = Agent(sock)
        with self.timer.phase("boot: QEMU start to agent"):
            hello = self.agent.hello(1, self.t(T_BOOT), "first boot (agent hello)")
        self.boot_id = hello["hello"]
        self.cmdline = hello["cmdline"]
        self.ok(f"booted in {hello['uptime']:.0f} s guest uptime; cmdline {self.cmdline!r}")
        self.ready_checks("boot")
        size = self.run("cat", "/sys/kernel/kexec_crash_size").out.strip()
        if size.isdigit():
            self.measure["crash_size_bytes"] = int(size)

    def hotplug(self) -> None:
        self.step = "3 hotplug"
        print("== step 3: CPU hotplug runs try-reload through the udev rule", flush=True)
        # udevd logs each program a rule starts, and how it ended, only at debug level.
        self.run("udevadm", "control", "--log-level=debug")
        online = "/sys/devices/system/cpu/cpu1/online"
        cursor = self.journal_cursor()
        for value, word in (("0", "offline"), ("1", "online")):
            with self.timer.phase(f"hotplug: cpu1 {word}, udev settles"):
                res = self.run("tee", online, input=f"{value}\n")
                self.expect(res.rc == 0, f"cpu1 {word}", f"writing {value} to {online}: {res}")
                # try-reload runs inside udev's event: settle waits for it.
                self.run("udevadm", "settle", "--timeout=600", timeout=660)
        # A rule that runs try-reload itself has finished once udev settles; one that hands
        # it to systemd (systemctl --no-block ...) may still be reloading: wait for the load
        # entry or an error, within the limit of one command.
        # Done when every rule run has its load, or the reloads stopped (systemd may merge
        # two queued reloads into one): a load seen, the service idle, the journal quiet.
        deadline = time.monotonic() + self.t(T_CMD)
        before: list[str] = []
        with self.timer.phase("hotplug: reload seen in the journal"):
            while True:
                lines = self.journal(cursor=cursor).splitlines()
                ran, loads, errors = hotplug_evidence(lines)
                runs = [ln for ln in ran if "Running" in ln] or ran
                if errors or (loads and len(loads) >= len(runs)) or time.monotonic() > deadline:
                    break
                if loads and lines == before and self.service_idle("kdump-tools.service"):
                    break
                before = lines
                time.sleep(3)
        self.run("udevadm", "control", "--log-level=info")
        (self.out / "journal.hotplug").write_text("\n".join(lines) + "\n")
        for ln in ran:
            self.ok(f"udev: {ln.split(': ', 1)[-1]}")
        self.expect(
            bool(ran),
            "udev ran the package's rule for cpu1",
            "no udevd entry running a kdump command for cpu1 in the journal",
        )
        self.expect(
            bool(loads) and not errors,
            f"reloaded: {loads[-1].split(': ', 1)[-1] if loads else ''}",
            f"no successful reload after udev ran the rule; {LOAD_ENTRY!r} entries "
            f"after it: {len(loads)}; udev says: {errors[:4]}",
        )
        res = self.run("cat", online)
        self.expect(res.out.strip() == "1", "cpu1 is back online", f"cpu1 online = {res.out!r}")
        with self.timer.phase("hotplug: kdump-config status"):
            res = self.run("kdump-config", "status")
        self.expect(
            res.rc == 0 and bool(READY.search(res.out)),
            "ready to kdump after the hotplug",
            f"status after hotplug: {res}",
        )
        res = self.run("cat", "/sys/kernel/kexec_crash_loaded")
        self.expect(
            res.out.strip() == "1", "kexec_crash_loaded = 1", f"kexec_crash_loaded = {res.out!r}"
        )

    def set_target(self, target: Target, srv: Servers | None) -> None:
        """The target's lines in /etc/default/kdump-tools, the previous target's gone."""
        current = self.run("cat", CONFIG)
        lines = [*COMMON, *(target.config(srv) if srv is not None else [])]
        text = with_target(current.out, lines, target.name)
        res = self.run("tee", CONFIG, input=text)
        self.expect(current.rc == 0 and res.rc == 0,
                    f"{CONFIG}: {'; '.join(lines) or 'the package defaults (local)'}",
                    f"writing {CONFIG}: {current} {res}")
        self.run("sync")

    def propagate(self, srv: Servers, target: Target) -> None:
        """`kdump-config propagate` in the first kernel, as an administrator runs it: it
        makes the key and installs it with ssh-copy-id, which asks (through SSH_ASKPASS:
        there is no terminal) to accept the server's key and for the user's password."""
        self.step = "4 propagate"
        print("== propagate: the SSH key to the dump server", flush=True)
        self.set_target(target, srv)
        self.run("tee", ASKPASS, input=srv.askpass())
        self.run("chmod", "700", ASKPASS)
        with self.timer.phase("propagate: kdump-config propagate"):
            res = self.run(*env_for_propagate(ASKPASS), "kdump-config", "propagate")
        self.expect(res.rc == 0 and "propagated ssh key" in res.out + res.err,
                    f"propagate: {(res.out + res.err).strip().splitlines()[-1:]}",
                    f"propagate: {res}")
        self.run("rm", "-f", ASKPASS)
        pub = self.run("cat", "/root/.ssh/kdump_id_rsa.pub").out.split()[:2]
        keys = srv.authorized_keys()
        self.expect(bool(pub) and " ".join(pub) in keys,
                    "the key is in the dump user's authorized_keys on the server",
                    f"the guest's key {pub} is not in the server's authorized_keys: {keys!r}")

    def crash(self, target: Target, srv: Servers | None = None) -> None:
        """One crash cycle to TARGET: sysrq, the capture kernel's dump unit saves, reboot,
        ready again; the capture boot's journal; the dump where the target keeps it."""
        self.step = f"4 crash {target.name}"
        print(f"== step 4 ({target.name}): sysrq crash, capture to {target.where}, reboot",
              flush=True)
        self.run("sync")  # keep this boot's journal for the report; a crash would lose it
        banners = self.console.mark()
        hellos = self.agent.hellos()
        t0 = time.monotonic()
        self.agent.send(["tee", "/proc/sysrq-trigger"], 10, "c")
        t_sysrq = t0 - self.console.t0  # on the console's clock
        name = target.name
        try:
            i, _ = self.console.wait_for(
                r"Linux version ",
                banners,
                self.t(T_CRASH_TO_CAPTURE),
                "capture kernel banner after sysrq",
            )
            self.timer.add(f"crash {name}: sysrq to capture kernel banner", time.monotonic() - t0)
            _, cmd = self.console.wait_for(r"Command line:", i, 30, "capture kernel command line")
            self.expect(
                f"systemd.unit={DUMP_UNIT}" in cmd and "crashkernel=" not in cmd,
                f"capture kernel boots with systemd.unit={DUMP_UNIT}",
                f"capture kernel command line: {cmd!r}",
            )
            t1 = time.monotonic()
            j, _ = self.console.wait_for(
                r"Linux version ",
                i + 1,
                self.t(T_CAPTURE),
                "reboot after the capture (the capture kernel is stuck)",
            )
            self.timer.add(f"crash {name}: capture kernel boot + savecore + reboot",
                           time.monotonic() - t1)
            capture_log = [ln for _, ln in self.console.lines[i:j]]
            (self.out / f"serial.capture.{name}").write_text("\n".join(capture_log) + "\n")
            (self.out / "serial.capture").write_text("\n".join(capture_log) + "\n")
            self.record_capture(self.console.lines[i:j], t_sysrq, self.console.lines[j][0])
            started = [ln for ln in capture_log if "kdump-tools-dump" in ln or "Kdump" in ln]
            self.ok(f"capture kernel console: {started[-3:]}")
            t2 = time.monotonic()
            hello = self.agent.hello(hellos + 1, self.t(T_BOOT), "first kernel after the capture")
            self.timer.add(f"crash {name}: reboot to agent", time.monotonic() - t2)
        except Stuck as exc:
            self.fail(f"stuck: {exc}")
            raise Failed from exc
        self.expect(
            hello["hello"] != self.boot_id and DUMP_UNIT not in hello["cmdline"],
            "back in a first kernel (new boot id, normal command line)",
            f"unexpected boot after capture: {hello}",
        )
        self.boot_id = hello["hello"]
        self.ready_checks(f"after capture {name}")
        self.cycles[name] = time.monotonic() - t0
        ready = self.ready_at()
        if ready is not None:
            self.measure["crash_to_ready_s"] = round(ready - t0, 1)
            self.ok(f"crash -> ready again: {ready - t0:.1f} s")

        # What the capture boot did, from its journal (persistent, read from this boot).
        boots = self.run("journalctl", "--list-boots", "--no-pager").out
        (self.out / "journal.boots").write_text(boots)
        cap = self.journal("-b", "-1")
        (self.out / f"journal.capture-boot.{name}").write_text(cap)
        # savecore's own syslog entry, not just the unit starting.
        saved = [ln for ln in cap.splitlines() if SAVED.search(ln)]
        unit_lines = [ln for ln in cap.splitlines() if DUMP_UNIT in ln or "kdump-tools" in ln]
        self.expect(
            bool(saved),
            f"the capture boot's journal has savecore's entry: {saved[-1] if saved else ''}",
            f"no 'saved vmcore in' in the capture boot's journal: {unit_lines[-6:]}",
        )
        if target.collect is None:
            self.check_crash_dir_in_guest()
            return
        assert srv is not None
        left = [e[3] for e in self.crash_listing() if e[0] == "d" and "/" not in e[3]]
        self.expect(not left, "nothing saved in the guest's /var/crash",
                    f"the guest's /var/crash has {left} (the dump should be on {target.where})")
        # The network was up when the dump unit started: savecore never had to wait for it,
        # and named the dump by the guest's address (HOSTTAG=ip, the default), not by the
        # hostname it falls back to without one.
        waited = [ln for ln in cap.splitlines() if NO_NETWORK.search(ln)]
        self.expect(not waited, "savecore started with the network up",
                    f"savecore started before the network was up: {waited[:3]}")
        with self.timer.phase(f"crash {name}: host checks the dump on the server"):
            stamp_dir, problems = target.collect(srv, self.out / "fetched" / name)
            if stamp_dir is not None and not stamp_dir.name.startswith(f"{GUEST_IP}-"):
                problems.append(f"the dump on {target.where} is {stamp_dir.name}, not named by "
                                f"the guest's address {GUEST_IP} (HOSTTAG=ip)")
            if stamp_dir is not None:
                problems += verify.check_dump_dir(stamp_dir, self.release, modes=target.modes)
                # Complete whatever its files' modes (the bench asks this, as for local).
                self.measure["dump_complete"] = not verify.check_dump_dir(
                    stamp_dir, self.release, modes=False)
            landing = srv.landing(name)
            problems += [f"left on the server: {p}" for p in incomplete_left(landing)]
        for p in problems:
            self.fail(p)
        if not problems:
            self.ok(f"on {target.where}: {stamp_dir.name if stamp_dir else ''} complete, dmesg "
                    "has the sysrq panic, no -incomplete"
                    + (", files 0600" if target.modes else " (modes are the server's)"))

    def record_capture(self, lines: list[tuple[float, str]], t_sysrq: float,
                       t_reboot: float) -> None:
        """The capture probe's findings and the capture's times, from the capture kernel's
        console lines (host clock); a capture the probe had to reboot fails the step."""
        found = capture_probe.parse(lines)
        self.measure.update(found)
        self.measure["crash_to_capture_banner_s"] = round(lines[0][0] - t_sysrq, 1)
        self.measure["crash_to_reboot_s"] = round(t_reboot - t_sysrq, 1)
        saved_at = found["saved_at"]
        if isinstance(saved_at, float):
            self.measure["crash_to_saved_s"] = round(saved_at - t_sysrq, 1)
        self.measure.pop("saved_at")
        self.expect(
            found["no_reboot"] is None,
            "the capture kernel rebooted by itself",
            f"the capture kernel did not reboot by itself: {found['no_reboot']}",
        )
        self.expect(
            found["mem_total_kib"] is not None,
            f"capture probe: MemTotal {found['mem_total_kib']} kB, lowest MemAvailable "
            f"{found['min_available_kib']} kB, {capture_probe.UNIT.split('.')[0]} saw "
            f"memory.peak {found['peak_bytes']} B, dump saved "
            f"{self.measure.get('crash_to_saved_s')} s after the crash",
            f"no {capture_probe.TAG} lines on the capture kernel's console",
        )

    def ready_at(self) -> float | None:
        """When kdump-tools.service became active in this boot, on the host's monotonic
        clock: the guest's boot time (host time minus /proc/uptime, halfway through the
        command) plus systemd's ActiveEnterTimestampMonotonic. Polling would add seconds."""
        t_a = time.monotonic()
        res = self.run("cat", "/proc/uptime")
        t_b = time.monotonic()
        entered = self.run(
            "systemctl", "show", "-P", "ActiveEnterTimestampMonotonic", "kdump-tools.service"
        ).out.strip()
        try:
            boot = (t_a + t_b) / 2 - float(res.out.split()[0])
            usec = int(entered)
        except (ValueError, IndexError):
            return None
        return boot + usec / 1e6 if usec else None

    def crash_listing(self) -> list[list[str]]:
        """/var/crash in the guest: [type, octal mode, size, path relative to /var/crash]."""
        res = self.run("find", "/var/crash", "-mindepth", "1", "-printf", "%y %m %s %P\n")
        with open(self.out / "crash.listing", "a") as f:
            f.write(f"-- step {self.step}\n{res.out}")
        return [ln.split(" ", 3) for ln in res.out.splitlines()]

    def check_crash_dir_in_guest(self) -> None:
        entries = self.crash_listing()
        dirs = [e[3] for e in entries if e[0] == "d" and "/" not in e[3]]
        stamps = [d for d in dirs if STAMP.match(d)]
        if not self.expect(
            len(stamps) == 1,
            f"/var/crash/{stamps[0] if stamps else ''}/",
            f"expected one /var/crash/<stamp>/, found {dirs}",
        ):
            return
        self.stamp = stamps[0]
        files = {e[3]: e for e in entries if e[0] == "f" and e[3].startswith(self.stamp + "/")}
        for prefix in ("dump.", "dmesg."):
            names = [
                n
                for n in files
                if n.split("/")[1].startswith(prefix)
                or (prefix == "dump." and n.split("/")[1].startswith("vmcore."))
            ]
            if self.expect(
                len(names) == 1,
                f"{names[0] if names else ''}: "
                f"{files[names[0]][2] if names else ''} bytes, mode "
                f"{files[names[0]][1] if names else ''}",
                f"expected one {prefix}* in /var/crash/{self.stamp}: {list(files)}",
            ):
                self.expect(
                    files[names[0]][1] == "600",
                    f"{names[0]} is 0600",
                    f"{names[0]} has mode {files[names[0]][1]}",
                )
        self.dump_sizes = {n: e[2] for n, e in files.items()}
        dumps = [int(e[2]) for n, e in files.items()
                 if n.split("/")[1].startswith(("dump.", "vmcore."))]
        if dumps:
            self.measure["dump_bytes"] = dumps[0]

    def purge(self, package: str) -> None:
        self.step = "5 purge"
        print(f"== step 5: apt purge {package}", flush=True)
        with self.timer.phase("purge: apt-get purge"):
            res = self.run("apt-get", "purge", "-y", "-q", package, timeout=600)
        self.expect(res.rc == 0, f"apt-get purge {package}", f"purge: {res}")
        res = self.run("dpkg-query", "-W", "-f=${Status}", package)
        self.expect(
            "installed" not in res.out.replace("not-installed", "")
            and "config-files" not in res.out,
            f"dpkg: {res.out.strip() or 'unknown'}",
            f"dpkg still knows it: {res.out!r}",
        )
        for path in ("/var/lib/kdump", "/etc/default/kdump-tools", "/etc/kdump"):
            res = self.run("test", "-e", path)
            self.expect(res.rc == 1, f"{path} is gone", f"{path} is still there after purge")
        if "local" not in self.cycles and not hasattr(self, "stamp"):
            self.ok("(no local dump to keep: `local` was not a target)")
            return
        stamp = getattr(self, "stamp", "?")
        left = {
            path: size
            for kind, _, size, path in self.crash_listing()
            if kind == "f" and path.startswith(f"{stamp}/")
        }
        kept = getattr(self, "dump_sizes", {})
        self.expect(
            bool(kept) and left == kept,
            f"the dump is left untouched: {left}",
            f"/var/crash after purge: {left}, before: {kept}",
        )

    def poweroff(self) -> None:
        self.run("sync")
        self.agent.send(["systemctl", "poweroff"], 60)
        try:
            self.proc.wait(self.t(T_POWEROFF))
        except subprocess.TimeoutExpired:
            self.fail("the guest did not power off")
            self.proc.kill()
            self.proc.wait()

