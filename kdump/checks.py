"""Pure decisions: which catalog findings follow from the facts and the config."""

from __future__ import annotations

from dataclasses import dataclass, field

from kdump.cmdline import has_param
from kdump.config import Config
from kdump.facts import Facts, LinkFact


@dataclass(frozen=True)
class Finding:
    code: str
    params: dict[str, object] = field(default_factory=dict)


def support_findings(config: Config, facts: Facts) -> list[Finding]:
    """The checks every load-side command starts with, in the original's order."""
    found: list[Finding] = []
    if not config.use_kdump:
        found.append(Finding("use-kdump-off", {"config": config.path}))
    if facts.dump_mode == "fadump":
        if facts.fadump.registered is None:
            found.append(Finding("fadump-not-configured"))
    else:
        if not facts.kexec_supported:
            found.append(Finding("kdump-not-supported"))
        if not has_param(facts.cmdline, "crashkernel"):
            found.append(Finding("no-crashkernel"))
    if config.ssh and config.nfs:
        found.append(Finding("ssh-nfs-conflict"))
    return found


def link_version(link: LinkFact) -> str:
    """The kernel version a /var/lib/kdump link points at, from its target's name."""
    base = link.resolved.rsplit("/", 1)[-1]
    name = link.path.rsplit("/", 1)[-1]
    for prefix in ("vmlinux-", "vmlinuz-", f"{name}-"):
        if base.startswith(prefix):
            return base[len(prefix):]
    return base


def invalid_links(facts: Facts) -> list[Finding]:
    """Links that are missing, dangling, or for another kernel than the running one."""
    found = []
    for link in facts.links:
        valid = link.is_symlink and link.resolved_exists and link_version(link) == facts.release
        if not valid:
            found.append(Finding("invalid-symlink", {"link": link.path}))
    return found
