"""propagate: make sure the dump key exists and install it on the SSH dump server.

Unlike the original, every failure exits 1, ssh-keygen's failure is
reported instead of hidden, and the server is used exactly as configured: no
``host@host`` is made up when SSH has no ``user@``.
"""

from __future__ import annotations

import posixpath

from backends.values import HostError, RunResult, UnsafePathError
from kdump import program_argv
from kdump.context import Context
from kdump.locking import LockFailed, exclusive

KEYGEN_TIMEOUT = 120
# ssh-copy-id may wait for the administrator to type the server's password.
COPY_ID_TIMEOUT = 600


def propagate(ctx: Context) -> int:
    config = ctx.config
    if not config.ssh:
        return ctx.emit("propagate-no-ssh")
    if config.nfs:
        return ctx.emit("ssh-nfs-conflict")
    key = config.ssh_key
    if ctx.host.exists(key):
        ctx.emit("using-existing-key", key=key)
    else:
        ctx.emit("generating-key")
        try:
            with exclusive(ctx.host, ctx.reporter):
                generated = _generate(ctx, key)
        except LockFailed as exc:
            return exc.status
        if not generated:
            return ctx.emit("keygen-failed", key=key)
    # The lock is not held here: ssh-copy-id may wait for the server's password.
    program = ctx.host.which("ssh-copy-id") or "ssh-copy-id"
    result = ctx.host.run(program_argv.copy_id_argv(program, key, config.ssh),
                          timeout=COPY_ID_TIMEOUT)
    if not result.ok:
        _tell(ctx, result)
        return ctx.emit("key-send-failed", key=key, ssh=config.ssh)
    return ctx.emit("key-propagated", key=key, ssh=config.ssh)


def _generate(ctx: Context, key: str) -> bool:
    host = ctx.host
    try:
        host.mkdir(posixpath.dirname(key) or "/", 0o700)  # ~/.ssh is private
    except UnsafePathError as exc:
        ctx.emit("path-refused", path=exc.path, reason=exc.reason)
        return False
    except HostError as exc:
        _tell(ctx, RunResult(("mkdir",), 1, "", str(exc)))
        return False
    program = host.which("ssh-keygen") or "ssh-keygen"
    result = host.run(program_argv.keygen_argv(program, key), timeout=KEYGEN_TIMEOUT)
    if not result.ok:
        _tell(ctx, result)
    return result.ok and host.exists(key) and host.exists(key + ".pub")


def _tell(ctx: Context, result: RunResult) -> None:
    """The child's own explanation, on stderr (the original threw it away)."""
    text = result.stderr or result.stdout
    ctx.reporter.passthrough(text)
