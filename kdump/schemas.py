"""The JSON Schema of every `--json` document, one per command (docs/schema/COMMAND.json).

Not imported when kdump-config runs: `dev/schemas` writes the files from here, and the
tests check that the files are current and validate every scenario's JSON output
against the schema its "command" field names.  Every field carries a "description".
"""

from __future__ import annotations

import json
from typing import Any

from kdump.messages import SEVERITIES

SCHEMA_DIR = "docs/schema"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://kdump-config.invalid/schema/"

Schema = dict[str, Any]


def _s(kind: str | list[str], description: str, **more: Any) -> Schema:
    return {"type": kind, "description": description, **more}


def _nullable(kind: str, description: str, **more: Any) -> Schema:
    return {"type": [kind, "null"], "description": description, **more}


def _object(description: str, properties: dict[str, Schema], required: list[str] | None = None,
            nullable: bool = False) -> Schema:
    return {"type": ["object", "null"] if nullable else "object", "description": description,
            "properties": properties,
            "required": list(properties) if required is None else required,
            "additionalProperties": False}


MESSAGE = _object("One catalog message kdump-config said, in the order said.", {
    "code": _s("string", "The message's stable kebab-case code (kdump/messages.py; the "
               "DIAGNOSTICS of kdump-config(8)); never reused for another meaning.",
               pattern="^[a-z0-9]+(-[a-z0-9]+)*$"),
    "severity": _s("string", "How the text rendering shows it, as Debian's lsb "
                   "init-functions: failure (X ... failed!), warning (X ... (warning).), "
                   "action and success (X.), plain (X).",
                   enum=list(SEVERITIES)),
    "text": _s("string", "The message's words, without the rendering: no severity suffix, "
               "no colour, no indent or label padding of the text layout; lines of a "
               "several-line message are joined with a newline."),
})

DUMP_MODE = _s("string", "kdump (kexec a capture kernel) or fadump (firmware-assisted dump "
               "on POWER).", enum=["kdump", "fadump"])
READY = _s("boolean", "Whether a crash now would be captured: a usable capture kernel is "
           "loaded (kdump) or fadump is registered.")
USE_KDUMP = _s("string", "USE_KDUMP as written in the configuration (\"\" when unset).")
COREDIR = _s("string", "KDUMP_COREDIR: the local directory dumps are saved in.")
IOMEM = _nullable("string", "The start of the crashkernel reservation in /proc/iomem as the "
                  "text report prints it (hexadecimal, several ranges joined), or null.")


def _path(what: str) -> Schema:
    return _object(f"The configured {what}, as show describes it.", {
        "path": _s("string", f"The configured {what} path (KDUMP_KERNEL / KDUMP_INITRD, by "
                   "default the /var/lib/kdump link); \"\" when none."),
        "link_target": _nullable("string", "Where the path links to, when it is a symbolic "
                                 "link; null when it is not one."),
        "exists": _s("boolean", "Whether the path leads to an existing file."),
    })


TARGETS = _object("Where savecore stores a dump: the local directory and the remote targets "
                  "the configuration names (null when not configured).", {
                      "local": _s("string", "KDUMP_COREDIR."),
                      "ssh": _object("The SSH target (SSH, SSH_KEY).", {
                          "destination": _s("string", "SSH: user@host."),
                          "key": _s("string", "SSH_KEY: the private key used."),
                      }, nullable=True),
                      "nfs": _object("The NFS target (NFS, NFS_TIMEO, NFS_RETRANS).", {
                          "export": _s("string", "NFS: server:/export."),
                          "timeo": _s("integer", "NFS_TIMEO (tenths of a second)."),
                          "retrans": _s("integer", "NFS_RETRANS."),
                      }, nullable=True),
                      "ftp": _object("The FTP target (FTP, FTP_USER, FTP_PORT).", {
                          "host": _s("string", "FTP: the server (and directory)."),
                          "user": _nullable("string", "FTP_USER, or null."),
                          "password_set": _s("boolean", "Whether FTP_PASSWORD is set (the "
                                             "password itself is never shown)."),
                          "port": _nullable("string", "FTP_PORT, or null."),
                      }, nullable=True),
                      "hosttag": _nullable("string", "HOSTTAG (the remote dump directory's "
                                           "prefix) when a remote target is configured, "
                                           "else null."),
                  })

# Each command's own fields, next to the envelope every document has; ``required``: the
# fields present whenever the command ran to its end (exit_code 0).
DATA: dict[str, tuple[str, dict[str, Schema], list[str]]] = {
    "help": ("kdump-config help --json (and COMMAND --help --json)", {
        "commands": _s("array", "Every command (help's JSON only).", items=_object(
            "One command.", {
                "name": _s("string", "The word on the command line."),
                "summary": _s("string", "What it does, in one line."),
                "arguments": _s("array", "The arguments it takes, by name.",
                                items=_s("string", "An argument's name.")),
            })),
        "global_options": _s("array", "The options every command takes, before or after "
                             "it (help's JSON only).", items=_object("One global option.", {
                                 "option": _s("string", "The option."),
                                 "value": _nullable("string", "What its value is, or null "
                                                    "for a flag."),
                                 "environment": _nullable("string", "The KDUMP_* variable "
                                                          "that sets its default, or null."),
                             })),
        "about": _s("string", "COMMAND --help --json: the command the help is about."),
        "usage": _s("string", "COMMAND --help --json: the command's usage line."),
        "summary": _s("string", "COMMAND --help --json: what the command does."),
    }, []),
    "version": ("kdump-config --version --json", {
        "version": _s("string", "kdump-config's release."),
        "follows": _s("string", "The Debian kdump-tools release whose behaviour it follows."),
    }, ["version", "follows"]),
    "usage": ("a command line kdump-config refused (exit 1): the messages say why, the last "
              "is the usage line", {
                  "requested": _nullable("string", "The command the line asked for, when "
                                         "it named a known one; else null."),
              }, ["requested"]),
    "status": ("kdump-config status --json", {
        "dump_mode": DUMP_MODE,
        "ready": READY,
    }, ["dump_mode", "ready"]),
    "show": ("kdump-config show --json: everything the text show prints", {
        "dump_mode": DUMP_MODE,
        "use_kdump": USE_KDUMP,
        "kdump_coredir": COREDIR,
        "crashkernel_iomem": IOMEM,
        "kdump_kernel": _path("kdump kernel"),
        "kdump_initrd": _path("kdump initrd"),
        "targets": TARGETS,
        "ready": READY,
        "state": _s("string", "The current state line's words: \"ready to MODE\" or "
                    "\"Not ready to MODE\"."),
        "crash_hotplug": _nullable("string", "Who keeps the loaded image current on CPU and "
                                   "memory hotplug, as the crash hotplug line says; null when "
                                   "the kernel cannot tell (before 6.5)."),
        "kernel_handles_hotplug": _nullable("boolean", "Whether the kernel updates the loaded "
                                            "image on hotplug itself; null when it cannot "
                                            "tell."),
        "crashkernel_addr": _s("array", "The start of every crashkernel reservation.",
                               items=_s("string", "A start address, in hexadecimal.")),
        "crashkernel_suggested_mib": _nullable("integer", "The suggested crashkernel= size "
                                               "in MiB (kdump mode), or null when unknown "
                                               "(the estimate messages say why)."),
        "kexec_command": _nullable("string", "The kexec command load last ran, as recorded "
                                   "(kdump mode), or null when none is recorded."),
    }, ["dump_mode", "use_kdump", "kdump_coredir", "kdump_kernel", "kdump_initrd", "targets",
        "ready", "state"]),
    "test": ("kdump-config test --json: what load would do", {
        "dump_mode": DUMP_MODE,
        "use_kdump": USE_KDUMP,
        "kdump_coredir": COREDIR,
        "crashkernel_iomem": IOMEM,
        "kdump_kernel_addr": _s("string", "The kdump kernel's load address: \"relocatable\", "
                                "its CONFIG_PHYSICAL_START, or \"\"."),
        "kexec_argv": _s("array", "The exact kexec command load would run, word by word.",
                         items=_s("string", "One argument.")),
        "kdump_kernel": _s("string", "The kdump kernel load would use."),
        "kdump_initrd": _s("string", "The kdump initrd load would use (\"\" for none)."),
    }, ["dump_mode"]),
    "check": ("kdump-config check --json: exit 0 ready, 3 not ready, 1 error", {
        "dump_mode": DUMP_MODE,
        "ready": READY,
        "failing": _s("array", "The names of the checks that failed.",
                      items=_s("string", "A check's name.")),
        "checks": _s("array", "Every readiness check, in order.", items=_object(
            "One check.", {
                "name": _s("string", "The check's name (kdump-config(8), CHECKS)."),
                "status": _s("string", "Its outcome.", enum=["ok", "warn", "fail"]),
                "code": _nullable("string", "The catalog code of the message saying what is "
                                  "wrong (null when ok); the message is in messages too."),
                "detail": _s("string", "What was found."),
                "remedy": _s("string", "How to fix it (\"\" when ok)."),
            })),
        "kernel": _object("What the running kernel says about kexec (null in fadump mode).", {
            "lockdown": _nullable("string", "The lockdown LSM's mode (null: no lockdown "
                                  "file).", enum=["none", "integrity", "confidentiality", None]),
            "secure_boot": _s("boolean", "UEFI Secure Boot is on (SecureBoot=1, SetupMode=0)."),
            "kexec_load_disabled": _nullable("boolean", "kernel.kexec_load_disabled (null: "
                                             "unreadable)."),
            "kexec_sysfs": _s("string", "Where the kexec state was read: "
                              "\"/sys/kernel/kexec/\" (Linux 6.19) or the old "
                              "\"/sys/kernel/kexec_*\" names.",
                              enum=["/sys/kernel/kexec/", "/sys/kernel/kexec_*"]),
            "reserved_bytes": _nullable("integer", "The whole reservation, CMA included "
                                        "(null: the kernel does not say)."),
            "crash_cma_bytes": _s("integer", "The part of it reserved as CMA "
                                  "(crashkernel=...,cma)."),
        }, nullable=True),
    }, ["dump_mode", "ready", "failing", "checks", "kernel"]),
}
for _command, _what in (("load", "load the kdump kernel (or register fadump)"),
                        ("unload", "unload the kdump kernel (or unregister fadump)"),
                        ("reload", "unload, then load"),
                        ("try-reload", "reload if loaded (condreload reports as try-reload)"),
                        ("symlinks", "point the /var/lib/kdump links at a kernel version"),
                        ("savecore", "save /proc/vmcore in the capture kernel"),
                        ("propagate", "send the ssh key to the dump server")):
    DATA[_command] = (f"kdump-config {_command} --json: {_what}; the messages say what "
                      "was done", {}, [])


def schema(command: str) -> Schema:
    """The JSON Schema of ``command``'s --json document."""
    what, properties, required = DATA[command]
    envelope: dict[str, Schema] = {
        "schema_version": _s("integer", "The version of this document layout; a change "
                             "that breaks a reader raises it.", const=1),
        "command": _s("string", "Which command's document this is (the schema file's name).",
                      const=command),
        "exit_code": _s("integer", "kdump-config's exit status."),
        "messages": _s("array", "Every catalog message the command said, in order.",
                       items=MESSAGE),
    }
    document: Schema = {
        "$schema": DRAFT,
        "$id": f"{ID_BASE}{command}.json",
        "title": f"kdump-config {command} --json",
        "description": f"The one JSON document on stdout of {what}.",
        "type": "object",
        "properties": {**envelope, **properties},
        "required": list(envelope),
        "additionalProperties": False,
    }
    if required:
        # A command that ran to its end (exit 0) always says these.
        document["if"] = {"properties": {"exit_code": {"const": 0}}}
        document["then"] = {"required": required}
    return document


def files() -> dict[str, str]:
    """docs/schema/COMMAND.json: the text of each file."""
    return {f"{command}.json": json.dumps(schema(command), indent=2) + "\n"
            for command in DATA}
