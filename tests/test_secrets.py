"""A connection string that fails to parse never shows its password: not in the error's text,
repr or args, not in any exception chained to it, not in log output, not in ``prism validate``.

The password is two halves around a separator that breaks the URL; neither half may appear.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import prism
from prism._redact import describe, redact, scheme_of
from prism.cli import main

A, B = "Zq8vK2hT", "mW4pX9rL"


def pw(sep: str = "") -> str:
    return f"{A}{sep}{B}"


# (backend type, connection): every string is malformed for that backend type
MALFORMED: list[tuple[str, str]] = [
    # memstore: another backend's URL, a missing ':' after the scheme
    ("memstore", f"redis://admin:{pw()}@cache.internal:6379/0"),
    ("memstore", f"memory//admin:{pw()}@x"),
    # sqlite: a redis URL, user:pw@ in a sqlite URL, a missing ':', a bare user:pw@path
    ("sqlite", f"redis://admin:{pw()}@cache.internal:6379/0"),
    ("sqlite", f"sqlite://admin:{pw()}@/data/x.db"),
    ("sqlite", f"sqlite:///admin:{pw('@')}/x.db"),
    ("sqlite", f"sqlite//admin:{pw()}@/x.db"),
    ("sqlite", f"admin:{pw()}@x.db"),
    ("sqlite", f"postgresql://admin:{pw('/')}@db/x"),
]
for _type in ("redis", "redis-cluster"):
    MALFORMED += [
        (_type, f"redis//admin:{pw()}@cache.internal:6379/0"),  # missing ':'
        (_type, f"redis:/admin:{pw()}@cache.internal"),
        (_type, f"redis:admin:{pw()}@cache.internal"),
        (_type, f"redis://admin:{pw('/')}@cache.internal:6379/0"),  # unencoded '/'
        (_type, f"redis://admin:{pw('?')}@cache.internal:6379/0"),  # unencoded '?'
        (_type, f"redis://admin:{pw('#')}@cache.internal:6379/0"),  # unencoded '#'
        (_type, f"redis://admin:{pw('@')}@cache.internal/x"),  # '@', then a bad db number
        (_type, f"redis://admin:{pw()}"),  # no host: the password reads as a port
        (_type, f"redis://admin:{pw()}@[::1/0"),  # an unclosed IPv6 host
        (_type, f"mysql://admin:{pw()}@db:3306/x"),  # another scheme
        (_type, f"sqlite:///admin:{pw('@')}x.db"),
    ]


def ids(case: tuple[str, str]) -> str:
    return f"{case[0]}:{case[1].replace(A, 'A').replace(B, 'B')}"


def texts(exc: BaseException, seen: set[int] | None = None) -> Iterator[str]:
    """str, repr and args of ``exc`` and of every exception chained to it, recursively."""
    seen = set() if seen is None else seen
    if id(exc) in seen:
        return
    seen.add(id(exc))
    yield str(exc)
    yield repr(exc)
    for arg in exc.args:
        yield repr(arg)
        if isinstance(arg, BaseException):
            yield from texts(arg, seen)
    for attr in ("message", "backend", "operation"):
        yield repr(getattr(exc, attr, None))
    for chained in (exc.__cause__, exc.__context__):
        if chained is not None:
            yield from texts(chained, seen)


def assert_clean(*chunks: str) -> None:
    for chunk in chunks:
        assert A not in chunk and B not in chunk, chunk


def config(type_: str, connection: str) -> dict[str, object]:
    return {"backends": {"db": {"type": type_, "connection": connection}}, "default_backend": "db"}


@pytest.mark.parametrize("case", MALFORMED, ids=ids)
def test_prism_open_never_shows_the_password(
    case: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    type_, connection = case
    caplog.set_level(logging.DEBUG)
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open("secrets", config=config(type_, connection))
    assert_clean(*texts(info.value), caplog.text)
    assert "connection" in str(info.value)  # it says what was wrong


@pytest.mark.parametrize("case", MALFORMED, ids=ids)
def test_through_variable_expansion(
    case: tuple[str, str], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    type_, connection = case
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("PRISM_TEST_SECRET_URL", connection)
    for value in ("${PRISM_TEST_SECRET_URL}", "${PRISM_TEST_UNSET_URL:-" + connection + "}"):
        with pytest.raises(prism.ConfigurationError) as info:
            prism.open("secrets", config=config(type_, value))
        assert_clean(*texts(info.value), caplog.text)


@pytest.mark.parametrize("case", MALFORMED, ids=ids)
def test_prism_validate_never_shows_the_password(
    case: tuple[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    type_, connection = case
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "prism.yaml"
    quoted = connection.replace("'", "''")
    path.write_text(
        f"backends:\n  db: {{type: {type_}, connection: '{quoted}'}}\n"
        "namespaces:\n  app: {backend: db}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    output = result.output + (getattr(result, "stderr", "") if result.stderr_bytes else "")
    assert_clean(output, caplog.text)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert_clean(*texts(result.exception))
    with pytest.raises(prism.ConfigurationError) as info:  # the same file, opened
        prism.open("app", config=path)
    assert_clean(*texts(info.value), caplog.text)


def test_a_yaml_error_is_not_chained_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "prism.yaml"
    path.write_text(f"backends:\n  db: {{type: redis, connection: redis://u:{pw()}@h: [}}\n")
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open("x", config=path)
    assert_clean(*texts(info.value))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"redis://u:{pw()}@h:6379/0", "redis://u:***@h:6379/0"),
        (f"redis://u:{pw('@')}@h/0", "redis://u:***@h/0"),
        (f"redis://u:{pw('/')}@h/0", "redis://u:***@h/0"),
        (f"redis://:{pw()}@h", "redis://***@h"),
        (f"redis://{pw()}@h", "redis://***@h"),
        (f"redis//u:{pw()}@h", "***@h"),
        (f"u:{pw()}@h", "***@h"),
        (f"redis://h/0?password={pw()}&db=1", "redis://h/0?password=***&db=1"),
        ("sqlite:////data/x.db", "sqlite:////data/x.db"),
    ],
)
def test_redact(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_describe_names_only_the_scheme() -> None:
    assert scheme_of(f"Redis://u:{pw()}@h") == "redis"
    assert scheme_of(f"redis//u:{pw()}@h") is None
    assert describe(f"rediss://u:{pw()}@h") == "a rediss:// connection string"
    assert describe(f"u:{pw()}@h") == "a connection string without a scheme"
    assert describe(None) == "a connection string without a scheme"
