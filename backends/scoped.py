"""``with`` helpers for the start-up path: contextmanager, suppress, nullcontext.

The same behaviour as contextlib's, for the way this code uses them.  contextlib itself
imports ``collections`` and ``functools``, which cost `status` and `try-reload` (run at
every boot, from monitoring and on every hotplug event) a third of a bare
interpreter's start; nothing else on their path needs those modules.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator
    from contextlib import AbstractContextManager
    from types import TracebackType
    from typing import ParamSpec, TypeVar

    _P = ParamSpec("_P")
    _T = TypeVar("_T")


class suppress:  # noqa: N801 - named as contextlib's, which it stands in for
    """Ignore the given exceptions raised inside the block."""

    __slots__ = ("_kinds",)

    def __init__(self, *kinds: type[BaseException]) -> None:
        self._kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> bool:
        return kind is not None and issubclass(kind, self._kinds)


if TYPE_CHECKING:
    from contextlib import nullcontext as nullcontext  # its generic signature, for mypy
else:
    class nullcontext:  # noqa: N801 - named as contextlib's
        """A block that does nothing around it; ``as`` gives ``value``."""

        __slots__ = ("_value",)

        def __init__(self, value=None):
            self._value = value

        def __enter__(self):
            return self._value

        def __exit__(self, *_exc):
            return None


class _FromGenerator:
    """The context a generator function decorated with ``contextmanager`` returns: the code
    before its one ``yield`` runs on entry, the rest on exit; an exception of the block is
    raised at the ``yield``."""

    __slots__ = ("_generator",)

    def __init__(self, generator: Generator[object, None, None]) -> None:
        self._generator = generator

    def __enter__(self) -> object:
        try:
            return next(self._generator)
        except StopIteration:
            raise RuntimeError("generator didn't yield") from None

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> bool:
        if kind is None:
            try:
                next(self._generator)
            except StopIteration:
                return False
            raise RuntimeError("generator didn't stop")
        if value is None:
            value = kind()
        try:
            self._generator.throw(value)
        except StopIteration as stopped:
            return stopped is not value  # the generator caught the block's exception
        except BaseException as raised:
            if raised is value:  # the block's own exception, not caught: let it go on
                raised.__traceback__ = traceback
                return False
            if isinstance(value, StopIteration) and raised.__cause__ is value:
                value.__traceback__ = traceback  # PEP 479 turned it into a RuntimeError
                return False
            raise
        raise RuntimeError("generator didn't stop after throw()")


def contextmanager(function: Callable[_P, Iterator[_T]]
                   ) -> Callable[_P, AbstractContextManager[_T]]:
    """Make a generator function with one ``yield`` into a context manager factory."""
    def make(*args: _P.args, **kwargs: _P.kwargs) -> AbstractContextManager[_T]:
        return _FromGenerator(function(*args, **kwargs))  # type: ignore[arg-type,return-value]

    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(make, name, getattr(function, name))
    make.__wrapped__ = function  # type: ignore[attr-defined]
    return make
