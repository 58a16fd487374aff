"""The one lock every changing command takes, and what happens when it cannot be had.

Where: ``/run/kdump-config.lock``.  ``/run`` is root's own directory (0755), so no other
user can plant the file, a link in its place, or hold it (the file is 0600 root); in
``/run/lock`` (1777) any user could do all three.  The file layer still refuses a lock
file that is a link or that another user owns (backends.rooted).

How long: a command waits at most LOCK_WAIT seconds for another holder, saying who it
is, then fails with a catalog message.  savecore never gives up a dump for the lock: if
the lock is busy, refused or cannot be created (read-only /run, /run not a directory),
it says so and saves without it.

Coalescing (try-reload, which udev runs once per CPU and memory block at every hotplug
storm): a second lock file, ``/run/kdump-config.queued``, in the same directory and made
by the same file layer, is the one place in the queue: whoever holds it reloads next and
has not read the machine yet.  A request takes the queue lock without waiting; if it is
busy, the request returns at once (exit 0): the queued request's reload covers its
event.  Holding the queue, it takes the lock: free, it lets the queue go and reloads at
once; busy, it waits for it (bounded as above), queue held.  The queue is tried first so
that a request arriving just as a reload ends cannot take the lock ahead of the one
queued behind that reload (which polls for it) and cost a reload more.  So at most one
reload runs and at most one waits.

The snapshot point.  The queued request keeps the queue until just before its reload
reads anything; every request turned away before that moment is covered by that reload,
and a request that comes after it queues again (one more reload): the last event is
always followed by a reload that starts after it.  A storm's requests do not arrive at
once: each is a Python start, and a few dozen of them on a small machine take longer
than one reload.  So the queued request, once it holds the lock, settles before its
snapshot: it keeps the queue while requests are still being turned away, and lets it go
once they stop: none for SETTLE_QUIET seconds, nor for twice the longest gap seen
between two of them (each turned-away request leaves a token in
``/run/kdump-config.arrival``: a hint only, whose loss costs at most one more reload);
or after SETTLE_MAX seconds in all, so that a storm that never ends still gets a reload
every SETTLE_MAX seconds (well within LOCK_WAIT: another command waiting for the lock
meanwhile is not starved).  A single event pays nothing for this (its request finds the
lock free); a storm costs one reload at its start and one after it: the crash kernel
is stale only while the machine is still changing, and for the settle after it.

The promise kept on the failure path.  A turned-away request was told the queued one
covers it; so the queued request records that it owes a reload (``/run/kdump-config.pending``,
its own token) as soon as it holds the queue, and the record goes only once a reload that
started after the promise has completed (the token still its own: the next queued
request's record stays).  A queued request that cannot wait (the holder is past
LOCK_WAIT) or is killed leaves the record behind, and whoever takes the lock next runs
the reload when it finishes (``pending``): every changing command checks the record
after its own work, and takes over the queue when no live request holds it.  A record
lost in the one narrow race left (a new queued request writes its token just as the
previous reload deletes its own, and is then killed) costs that promise; a record kept
when it need not be costs one reload more.

A reload that fails mid-storm reports its failure (exit 1, in the journal) and releases
the lock: it has completed, the promise is kept (reload, in kdump/commands/load.py,
keeps or restores the previous capture kernel where it can).  The queued request then
reads the machine afresh: with nothing loaded, try-reload has nothing to reload and
exits 0 (it never loads what was not loaded); `load` is what loads again.
"""

from __future__ import annotations

from contextlib import ExitStack, contextmanager, suppress
from os import urandom

from backends.values import HostError, LockBusyError, UnsafePathError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import NoReturn

    from backends.base import Host
    from kdump.reporting import Emits

LOCK_FILE = "/run/kdump-config.lock"
QUEUE_FILE = "/run/kdump-config.queued"
ARRIVAL_FILE = "/run/kdump-config.arrival"
PENDING_FILE = "/run/kdump-config.pending"
# A constant, not a config key: nothing legitimate holds the lock for long (a load or a
# savecore), and a value in /etc/default/kdump-tools would be one more thing to get wrong
# on the path to a dump.  The service's own timeout (90 s) is longer.
LOCK_WAIT = 30  # seconds
POLL = 1  # seconds between attempts
# try-reload's queued request: finer, as the lock it waits for is let go within a second.
QUEUE_POLL = 0.1
SETTLE_QUIET = 1.0  # seconds without a turned-away request (at least; see _settle)
SETTLE_MAX = 10.0  # seconds: the longest a storm delays the queued reload


class LockFailed(Exception):
    """The lock could not be taken; ``status`` is the exit status already reported."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


Failure = tuple[str, str, str]  # (message code, holder or reason, path)


def _take(host: Host, reporter: Emits, held: ExitStack, poll: float = POLL,
          ) -> Failure | None:
    """Take the lock into ``held`` (None); or, not held, why it could not be taken."""
    waited = 0.0
    while True:
        try:
            held.enter_context(host.lock(LOCK_FILE))
            return None
        except LockBusyError as exc:
            if waited >= LOCK_WAIT:
                return ("lock-timeout", exc.holder, exc.path)
            if waited == 0:
                reporter.emit("lock-waiting", path=exc.path, holder=exc.holder,
                              seconds=LOCK_WAIT)
            host.sleep(poll)
            waited += poll
        except UnsafePathError as exc:
            return ("path-refused", exc.reason, exc.path)
        except HostError as exc:
            return ("lock-unavailable", exc.reason, LOCK_FILE)


@contextmanager
def exclusive(host: Host, reporter: Emits, *, best_effort: bool = False) -> Iterator[bool]:
    """Hold the lock (True); with ``best_effort``, go on without it (False) when it fails.

    Without ``best_effort`` a failure is reported and raised as LockFailed.
    """
    with ExitStack() as held:
        failure = _take(host, reporter, held)
        if failure is None:
            yield True
            return
    code, detail, path = failure
    if best_effort:
        why = f"held by {detail} for {LOCK_WAIT} seconds" if code == "lock-timeout" \
            else detail
        reporter.emit("lock-skipped", path=path, reason=why)
        yield False
        return
    _fail(reporter, failure)


def _fail(reporter: Emits, failure: Failure) -> NoReturn:
    code, detail, path = failure
    if code == "lock-timeout":
        raise LockFailed(reporter.emit("lock-timeout", path=path, holder=detail,
                                       seconds=LOCK_WAIT))
    if code == "path-refused":
        raise LockFailed(reporter.emit("path-refused", path=path, reason=detail))
    raise LockFailed(reporter.emit("lock-unavailable", path=path, reason=detail))


@contextmanager
def coalesced(host: Host, reporter: Emits, *, taking_over: bool = False,
              ) -> Iterator[bool]:
    """try-reload: True once the lock is held; False when a queued request covers this one.

    ``taking_over``: a pending reload run by a command that has just finished (see
    ``pending``); when a queued request holds the queue, that one covers it, silently.
    Failures are reported and raised as LockFailed, as with ``exclusive``.
    """
    queue = ExitStack()
    try:
        queue.enter_context(host.lock(QUEUE_FILE))
    except LockBusyError:
        covered = True
    except UnsafePathError as exc:
        _fail(reporter, ("path-refused", exc.reason, exc.path))
    except HostError:  # any other: no queue can be made; wait for the lock uncoalesced
        covered, queued = False, False
    else:
        covered, queued = False, True
    if covered:
        if not taking_over:
            _arrived(host)
            reporter.emit("reload-queued")
        yield False
        return
    with ExitStack() as held:  # the lock: let go after the reload, or when settling fails
        with queue:
            token = _owe(host) if queued else None
            failure = _take_behind_queue(host, reporter, held)
        # The queue is free again from here: the reload below has not read anything yet.
        if failure is not None:
            if token is not None:
                _owe(host, token)  # still owed (a newer request may have written over it)
                reporter.emit("reload-handed-on")
            _fail(reporter, failure)
        yield True
        # Completed (failed or not: a failure is reported, and a retry is not this
        # promise's to make): the record goes, unless a newer request owes one since.
        if token is not None and _owed(host) == token:
            with suppress(HostError):
                host.remove(PENDING_FILE)


def _take_behind_queue(host: Host, reporter: Emits, held: ExitStack) -> Failure | None:
    """The queued request takes the lock into ``held``: at once when free, else waiting
    (bounded) and then settling (see _settle)."""
    try:
        held.enter_context(host.lock(LOCK_FILE))
    except LockBusyError:  # a reload (or another changing command) runs: wait
        failure = _take(host, reporter, held, QUEUE_POLL)
        if failure is None:
            _settle(host)
        return failure
    except UnsafePathError as exc:
        return ("path-refused", exc.reason, exc.path)
    except HostError as exc:
        return ("lock-unavailable", exc.reason, LOCK_FILE)
    return None


def pending(host: Host) -> bool:
    """Is a reload owed to requests whose queued request could not run it?"""
    return _owed(host) is not None


def _owed(host: Host) -> str | None:
    """The token of the owed reload, read as the file layer wrote it (root's own file)."""
    try:
        data = host.read_own(PENDING_FILE, 64)
    except HostError:
        return None
    return None if data is None else data.decode("ascii", "replace")


def _owe(host: Host, token: str | None = None) -> str | None:
    """Record that a reload is owed (``token``, or a new one); None when it cannot be."""
    token = token or urandom(8).hex() + "\n"
    try:
        host.write_text(PENDING_FILE, token, 0o600)
    except HostError:
        return None
    return token


def _arrived(host: Host) -> None:
    """Tell the queued request that one more was turned away (see _settle)."""
    with suppress(HostError):
        host.write_text(ARRIVAL_FILE, urandom(8).hex() + "\n", 0o600)


def _arrivals(host: Host) -> bytes | None:
    """The last token left by a turned-away request (read as the file layer wrote it)."""
    try:
        return host.read_own(ARRIVAL_FILE, 64)
    except HostError:
        return None


def _settle(host: Host) -> None:
    """Keep the queue until the turned-away requests stop (SETTLE_MAX in all at most).

    Stopped means: none for SETTLE_QUIET, and none for twice the longest gap seen so far
    between two of them (a loaded machine starts them further apart).  Time is counted
    in the steps slept, as the lock wait does: the simulated machine's clock is virtual,
    while the requests it waits for are real processes.
    """
    seen = _arrivals(host)
    since = total = longest = 0.0
    while since < max(SETTLE_QUIET, 2 * longest) and total < SETTLE_MAX:
        host.sleep(QUEUE_POLL)
        since += QUEUE_POLL
        total += QUEUE_POLL
        latest = _arrivals(host)
        if latest != seen:
            seen, longest, since = latest, max(longest, since), 0.0
