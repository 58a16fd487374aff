"""backends/scoped.py stands in for contextlib on the start-up path: every test runs against
both, so the stand-in behaves as contextlib does wherever this code relies on it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from backends import scoped

IMPLEMENTATIONS = [pytest.param(contextlib, id="contextlib"),
                   pytest.param(scoped, id="scoped")]


@pytest.mark.parametrize("lib", IMPLEMENTATIONS)
def test_enter_value_and_cleanup_in_order(lib: Any) -> None:
    events: list[str] = []

    @lib.contextmanager
    def held(name: str) -> Iterator[str]:
        events.append(f"take {name}")
        try:
            yield name.upper()
        finally:
            events.append(f"release {name}")

    with held("lock") as value:
        events.append(f"use {value}")
    assert events == ["take lock", "use LOCK", "release lock"]
    assert held.__name__ == "held" and held.__wrapped__ is not None


@pytest.mark.parametrize("lib", IMPLEMENTATIONS)
def test_the_blocks_exception_reaches_the_generator_and_goes_on(lib: Any) -> None:
    seen: list[BaseException] = []

    @lib.contextmanager
    def watched() -> Iterator[None]:
        try:
            yield
        except ValueError as exc:
            seen.append(exc)
            raise

    with pytest.raises(ValueError, match="boom") as raised, watched():
        raise ValueError("boom")
    assert seen == [raised.value]


@pytest.mark.parametrize("lib", IMPLEMENTATIONS)
def test_a_generator_that_catches_the_exception_suppresses_it(lib: Any) -> None:
    @lib.contextmanager
    def forgiving() -> Iterator[None]:
        try:  # noqa: SIM105 - the try/except around the yield is what is tested
            yield
        except KeyError:
            pass

    with forgiving():
        raise KeyError("gone")
    with pytest.raises(IndexError), forgiving():  # another kind is not caught
        raise IndexError


@pytest.mark.parametrize("lib", IMPLEMENTATIONS)
def test_a_generator_that_raises_another_exception_replaces_the_blocks(lib: Any) -> None:
    @lib.contextmanager
    def translating() -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise RuntimeError("translated") from exc

    with pytest.raises(RuntimeError, match="translated") as raised, translating():
        raise OSError("disk")
    assert isinstance(raised.value.__cause__, OSError)


@pytest.mark.parametrize("lib", IMPLEMENTATIONS)
def test_a_stop_iteration_in_the_block_comes_out_as_itself(lib: Any) -> None:
    @lib.contextmanager
    def plain() -> Iterator[None]:
        yield

    stop = StopIteration("done")
    with pytest.raises(StopIteration) as raised, plain():
        raise stop
    assert raised.value is stop


@pytest.mark.parametrize("lib", IMPLEMENTATIONS)
def test_generators_that_do_not_yield_once_are_refused(lib: Any) -> None:
    @lib.contextmanager
    def never() -> Iterator[None]:
        if False:
            yield

    @lib.contextmanager
    def twice() -> Iterator[None]:
        yield
        yield

    with pytest.raises(RuntimeError, match="didn't yield"), never():
        pass
    with pytest.raises(RuntimeError, match="didn't stop"), twice():
        pass


@pytest.mark.parametrize("lib", IMPLEMENTATIONS)
def test_suppress_ignores_only_the_given_kinds(lib: Any) -> None:
    with lib.suppress(OSError, ValueError):
        raise FileNotFoundError  # a subclass of OSError
    with pytest.raises(KeyError), lib.suppress(OSError):
        raise KeyError
    with lib.suppress(OSError):
        done = True
    assert done


@pytest.mark.parametrize("lib", IMPLEMENTATIONS)
def test_nullcontext_gives_its_value_and_lets_exceptions_through(lib: Any) -> None:
    marker = SimpleNamespace()
    with lib.nullcontext(marker) as value:
        assert value is marker
    with pytest.raises(ValueError), lib.nullcontext():
        raise ValueError
