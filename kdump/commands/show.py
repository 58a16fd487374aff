"""help, status, show, test: report without changing anything."""

from __future__ import annotations

from backends.values import HostError
from kdump.checks import invalid_links, kernel_refusal, loaded_finding, support_findings
from kdump.cmdline import render_argv
from kdump.context import Context
from kdump.messages import USAGE_COMMANDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kdump.estimate import Estimate
    from kdump.facts import Facts
    from kdump.reporting import Reports

HELP = """\
Usage:
kdump-config {""" + USAGE_COMMANDS + """}
  help      - print this page
  test      - Do a dry-run of kdump kernel load command by showing
              the kernels and parameters that will be used and echo'ing
              the kexec command. The kexec command will not be executed.
              If using fadump, check if required sysfs directories exist.
  show      - Show dump mode, status, any current parameters.
              Show kexec command for kdump.
  status    - evaluate /sys/kernel/{kexec_crash_loaded,fadump_registered}
              depending on dump mode. Print appropriate message
  check     - run every readiness check by name, with a remedy for each
              problem. Exit 0 when ready, 3 when not ready, 1 on error.
  load      - Locate the kdump kernel, debug kernel, and establish links for
              makedumpfile.  Then load the kdump kernel using kexec
              If using fadump, register.
  unload    - unload the kdump kernel using kexec
              If using fadump, unregister.
  reload    - unload, then load.
  try-reload - reload if a kdump kernel is loaded (or fadump registered);
              used on memory and CPU hotplug. Alias: condreload.
  savecore  - use previously made links to save /proc/vmcore
  propagate - Send public ssh key to remote host for passwordless connection
  symlinks  - Verify and create vmlinuz and initrd.img links in /var/lib/kdump
              according to the provided kernel version. If the target
              initrd.img file is absent, it will create it."""


# What `help` adds after the seed's page: the global options and the environment.
HELP_OPTIONS = """\

Global options, before or after the command:
  --backend linux|sim  act on this host (linux, the default) or a simulated machine
  --root DIR           linux: act on the file tree under DIR instead of /
  --sim-state DIR      sim: the simulated machine's state directory
  --json               print one JSON document: exit code, data, and every message
                       with its code (schemas: docs/schema/COMMAND.json)
  --version            print the version and the kdump-tools behaviour it follows
  COMMAND --help       print the help of one command
Environment:
  KDUMP_BACKEND, KDUMP_ROOT, KDUMP_SIM_STATE
                       defaults for --backend, --root and --sim-state
  KDUMP_DEBUG=1        a traceback on an internal error
  NAME                 the message prefix and syslog tag (default kdump-config)
  NO_COLOR             no colour, even on a terminal"""


def command_help(prog: str, command: str, arguments: str, summary: str) -> list[str]:
    """`kdump-config COMMAND --help`: its usage line, what it does, where the options are."""
    from kdump.commands.table import GLOBAL_OPTION_ROWS

    options = " ".join(f"[{row.option} {row.value}]" if row.value else f"[{row.option}]"
                       for row in GLOBAL_OPTION_ROWS)
    return [f"Usage: {prog} {options} {command}{arguments}",
            summary,
            f"The global options may come before or after the command; see '{prog} help'."]


def help_data() -> dict[str, object]:
    """`help --json`: the commands and the global options, for a program to read."""
    from kdump.commands.table import GLOBAL_OPTION_ROWS, TABLE

    commands = [{"name": spec.name, "summary": spec.doc, "arguments": spec.arguments.split()}
                for spec in TABLE if not spec.hidden]
    return {"commands": sorted(commands, key=lambda c: str(c["name"])),
            "global_options": [{"option": row.option, "value": row.value or None,
                                "environment": row.environment or None}
                               for row in GLOBAL_OPTION_ROWS]}


def help_page(reporter: Reports) -> tuple[int, dict[str, object]]:
    """`help`: the usage page (needs no machine)."""
    if reporter.json_mode:
        return 0, help_data()
    for text in (HELP + "\n" + HELP_OPTIONS).split("\n"):
        reporter.line(text)
    return 0, {}


def _report_support(ctx: Context) -> int:
    findings = support_findings(ctx.config, ctx.facts)
    for finding in findings:
        ctx.report(finding)
    return len(findings)


def status(ctx: Context) -> tuple[int, dict[str, object]]:
    facts = ctx.facts
    mode = facts.dump_mode
    if mode == "fadump":
        # Kept from the original: in fadump mode a failed check is an error (exit 1).
        if _report_support(ctx):
            return 1, {"dump_mode": mode, "ready": False}
        ready = bool(facts.fadump.registered)
    else:
        _report_support(ctx)
        for finding in invalid_links(facts):
            ctx.report(finding)
        # Loaded is not ready when the loaded header cannot yield a dump (arm64, no _text).
        unusable = loaded_finding(ctx.config, facts, ctx.read_own_text(ctx.kexec_cmd_file)) \
            if facts.kexec_loaded else None
        if unusable is not None:
            ctx.report(unusable)
        refusal = kernel_refusal(facts)
        if refusal is not None:
            ctx.report(refusal)
        ready = facts.kexec_loaded and unusable is None
    ctx.emit("state-ready" if ready else "state-not-ready", mode=mode)
    return 0, {"dump_mode": mode, "ready": ready}


def hotplug_text(facts: Facts) -> str | None:
    """Who keeps the loaded capture image current on hotplug; None when the kernel can't say."""
    if facts.crash_hotplug is None:
        return None
    if facts.kernel_handles_hotplug:
        return "handled by the kernel"
    if facts.kexec_loaded:
        return "not handled by the kernel for the loaded image (udev reloads)"
    return "supported by the kernel (nothing loaded yet)"


def link_line(ctx: Context, path: str) -> str:
    """What `file` said of a path in the original: the link and its target, or the value."""
    host = ctx.host
    if path and host.is_symlink(path):
        target = host.readlink(path) or ""
        broken = "" if host.exists(path) else "broken "
        return f"{path}: {broken}symbolic link to {target}"
    return path


def _remote_lines(ctx: Context) -> list[str]:
    config = ctx.config
    lines = []
    if config.ssh:
        lines += [f"SSH:              {config.ssh}", f"SSH_KEY:          {config.ssh_key}"]
    if config.nfs:
        lines += [f"NFS:              {config.nfs}", f"NFS_TIMEO:        {config.nfs_timeo}",
                  f"NFS_RETRANS       {config.nfs_retrans}"]
    if config.ftp:
        lines.append(f"FTP:              {config.ftp}")
        if config.ftp_user:
            lines.append(f"FTP_USER:         {config.ftp_user}")
        if config.ftp_password:
            lines.append("FTP_PASSWORD:     is set")
        if config.ftp_port:
            lines.append(f"FTP_PORT:         {config.ftp_port}")
    if config.ssh or config.nfs or config.ftp:
        lines.append(f"HOSTTAG:          {config.hosttag}")
    return lines


def _path_data(ctx: Context, path: str) -> dict[str, object]:
    """A configured kernel or initrd path as `show` describes it, for --json."""
    host = ctx.host
    link = bool(path) and host.is_symlink(path)
    return {"path": path, "link_target": (host.readlink(path) or "") if link else None,
            "exists": bool(path) and host.exists(path)}


def _targets(ctx: Context) -> dict[str, object]:
    """The remote dump targets `show` prints (never the FTP password itself)."""
    config = ctx.config
    remote = bool(config.ssh or config.nfs or config.ftp)
    return {
        "local": config.kdump_coredir,
        "ssh": {"destination": config.ssh, "key": config.ssh_key} if config.ssh else None,
        "nfs": {"export": config.nfs, "timeo": config.nfs_timeo,
                "retrans": config.nfs_retrans} if config.nfs else None,
        "ftp": {"host": config.ftp, "user": config.ftp_user or None,
                "password_set": bool(config.ftp_password),
                "port": config.ftp_port or None} if config.ftp else None,
        "hosttag": config.hosttag if remote else None,
    }


def _real(ctx: Context, path: str) -> str:
    """Where a configured path really leads ("" when unset, or when it loops)."""
    if not path:
        return ""
    try:
        return ctx.host.realpath(path)
    except HostError:
        return ""


def crash_estimate(ctx: Context, say: bool = True) -> Estimate:
    from kdump.estimate import EstimateInputs, estimate, initrd_version
    from kdump.paths import KDUMP_DIR

    host, config, facts = ctx.host, ctx.config, ctx.facts
    initrd_real = _real(ctx, config.kdump_initrd)
    version = initrd_version(initrd_real)
    kernel_real = _real(ctx, config.kdump_kernel)
    result = estimate(EstimateInputs(
        arch=facts.arch,
        nproc=host.nproc(),
        initrd_version=version,
        decompressed_initrd_mib=ctx.read_own_text(f"{KDUMP_DIR}/size_initrd.img-{version}", say)
        if version else None,
        early_meminfo=ctx.read_own_text(f"{KDUMP_DIR}/mem-{version}", say) if version else None,
        kernel_bytes=(host.file_size(kernel_real) or 0) if kernel_real else 0,
        initrd_bytes=(host.file_size(initrd_real) or 0) if initrd_real else 0,
    ))
    if result.below_minimum:
        ctx.reporter.log("estimate-below-minimum", raw=result.raw_mib,
                         surplus=result.surplus_mib)
    return result


def show(ctx: Context) -> tuple[int, dict[str, object]]:
    config, facts = ctx.config, ctx.facts
    mode = facts.dump_mode
    _report_support(ctx)
    out = ctx.reporter.line
    out(f"DUMP_MODE:\t\t{mode}")
    out(f"USE_KDUMP:\t\t{config.use_kdump_raw}")
    out(f"KDUMP_COREDIR:\t\t{config.kdump_coredir}")
    if mode == "kdump":
        out(f"crashkernel addr: {facts.iomem_addr}")
    out(f"   {link_line(ctx, config.kdump_kernel)}")
    out("kdump initrd: ")
    out(f"   {link_line(ctx, config.kdump_initrd)}")
    for line in _remote_lines(ctx):
        out(line)
    ready = facts.kexec_loaded if mode == "kdump" else bool(facts.fadump.registered)
    state = "ready" if ready else "Not ready"
    out(f"current state:    {state} to {mode}")
    hotplug = hotplug_text(facts)
    if hotplug is not None:  # only kernels that can tell (6.5 and later): earlier layout kept
        out(f"crash hotplug:    {hotplug}")
    data: dict[str, object] = {"dump_mode": mode, "use_kdump": config.use_kdump_raw,
                               "kdump_coredir": config.kdump_coredir,
                               "crashkernel_iomem": facts.iomem_addr if mode == "kdump" else None,
                               "kdump_kernel": _path_data(ctx, config.kdump_kernel),
                               "kdump_initrd": _path_data(ctx, config.kdump_initrd),
                               "targets": _targets(ctx),
                               "ready": ready,
                               "state": f"{state} to {mode}",
                               "crash_hotplug": hotplug,
                               "kernel_handles_hotplug": facts.kernel_handles_hotplug
                               if facts.crash_hotplug is not None else None,
                               "crashkernel_addr": [f"{a:#x}" for a, _ in facts.crash_ranges]}
    if mode == "fadump":
        return 0, data
    out()
    guess = crash_estimate(ctx)
    if guess.size_mib is None:
        ctx.emit("estimate-unknown", reason=guess.reason)
    else:
        ctx.emit("estimate", size=guess.size_mib)
    recorded = ctx.read_own_text(ctx.kexec_cmd_file)  # (a warning, if any, before the block)
    out()
    out("kexec command:")
    if recorded is None:
        ctx.reporter.emit_indented("no-kexec-command", "  ", {})
    else:
        out("  " + recorded.rstrip("\n"))
    data.update({"crashkernel_suggested_mib": guess.size_mib,
                 "kexec_command": recorded.rstrip("\n") if recorded else None})
    return 0, data


def test(ctx: Context) -> tuple[int, dict[str, object]]:
    from kdump.plan import locate_kernel

    config, facts = ctx.config, ctx.facts
    _report_support(ctx)
    if facts.dump_mode == "fadump":
        return 0, {"dump_mode": "fadump"}
    for finding in invalid_links(facts):
        ctx.report(finding)
    choice = locate_kernel(config, facts, ctx.host)
    for finding in () if choice.search_unsaid else choice.findings:
        ctx.report(finding)
    kexec = facts.kexec_path
    if kexec is None:
        ctx.emit("kexec-missing", program="kexec")
    from kdump.commands.load import load_argv

    argv = load_argv(ctx, choice, kexec or "kexec")
    out = ctx.reporter.line
    out(f"USE_KDUMP:\t\t{config.use_kdump_raw}")
    out(f"KDUMP_COREDIR:\t\t{config.kdump_coredir}")
    out(f"crashkernel addr\t\t{facts.iomem_addr}")
    out(f"kdump kernel addr\t\t{choice.kernel_addr}")
    out("kdump kernel:")
    out(f"   {link_line(ctx, choice.kernel)}")
    out("kdump initrd: ")
    out(f"   {link_line(ctx, choice.initrd)}")
    out("kexec command to be used:")
    out(f"  {render_argv(argv)}")
    return 0, {"dump_mode": "kdump", "use_kdump": config.use_kdump_raw,
               "kdump_coredir": config.kdump_coredir, "crashkernel_iomem": facts.iomem_addr,
               "kdump_kernel_addr": choice.kernel_addr,
               "kexec_argv": argv, "kdump_kernel": choice.kernel,
               "kdump_initrd": choice.initrd}
