from __future__ import annotations

import asyncio
import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import prism
import prism.plugins
from prism.backends import _errors as shared
from prism.backends.memstore._async.backend import AsyncMemstoreBackend
from prism.backends.memstore.backend import MemstoreBackend
from prism.backends.sqlite._core import Database
from prism.backends.sqlite._errors import translator


def test_hierarchy() -> None:
    assert issubclass(prism.KeyNotFoundError, prism.NotFoundError)
    assert issubclass(prism.KeyNotFoundError, KeyError)
    assert issubclass(prism.InvalidArgumentError, ValueError)
    assert issubclass(prism.ValueTooLargeError, prism.InvalidArgumentError)
    assert issubclass(prism.IndexOutOfRangeError, IndexError)
    assert issubclass(prism.LeaseLostError, prism.ConflictError)
    for cls in (
        prism.ConfigurationError,
        prism.UnsupportedError,
        prism.ConflictError,
        prism.BackendUnavailableError,
        prism.NotFoundError,
    ):
        assert issubclass(cls, prism.PrismError)
        assert not issubclass(cls, ConnectionError)


@pytest.mark.parametrize(
    "cls",
    [
        prism.KeyNotFoundError,
        prism.ConflictError,
        prism.BackendUnavailableError,
        prism.ValueTooLargeError,
    ],
)
def test_errors_pickle_with_context(cls: type[prism.PrismError]) -> None:
    err = cls("boom", backend="redis", operation="get")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls
    assert (back.message, back.backend, back.operation) == ("boom", "redis", "get")
    assert str(back) == str(err) == "boom [backend=redis, operation=get]"


def test_key_error_str_is_not_quoted() -> None:
    assert str(prism.KeyNotFoundError("key 'a' not found")) == "key 'a' not found"


# -- translate what you know, let bugs through ----------------------------------------------------
# Every backend maps its driver's exceptions with one shared helper
# (prism.backends._errors.translated / translating); anything else propagates unchanged, so
# ``except PrismError`` never hides a bug in prism's own code.


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(str(tmp_path / "prism.db"), {})
    db.open()
    yield db
    db.close()


def test_a_type_error_inside_a_backend_propagates_unchanged(database: Database) -> None:
    bug = TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    def buggy_operation(conn: sqlite3.Connection) -> None:
        raise bug

    with pytest.raises(TypeError) as caught:
        database.run(buggy_operation)
    assert caught.value is bug
    assert not isinstance(caught.value, prism.PrismError)


def test_a_key_error_inside_a_backend_is_not_a_prism_error(database: Database) -> None:
    def buggy_operation(conn: sqlite3.Connection) -> None:
        _ = {}["missing"]

    with pytest.raises(KeyError) as caught:
        database.run(buggy_operation)
    assert not isinstance(caught.value, prism.PrismError)


def test_a_driver_error_becomes_the_specific_prism_error_chained_to_it(database: Database) -> None:
    def duplicate(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TEMP TABLE t (k TEXT PRIMARY KEY)")
        conn.execute("INSERT INTO t VALUES ('a')")
        conn.execute("INSERT INTO t VALUES ('a')")

    with pytest.raises(prism.ConflictError) as caught:
        database.run(duplicate)
    assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
    assert (caught.value.backend, caught.value.operation) == ("sqlite", "duplicate")


def test_a_file_that_is_not_a_database_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "not-a-database.db"
    path.write_bytes(b"this is not SQLite " * 100)
    db = Database(str(path), {})
    with pytest.raises(prism.ConfigurationError) as caught:
        db.open()
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
    assert caught.value.operation == "open"


@pytest.mark.parametrize(
    "cls",
    [
        sqlite3.Error,
        sqlite3.InterfaceError,
        sqlite3.DatabaseError,
        sqlite3.DataError,
        sqlite3.OperationalError,
        sqlite3.IntegrityError,
        sqlite3.InternalError,
        sqlite3.ProgrammingError,
        sqlite3.NotSupportedError,
    ],
)
def test_sqlite_translates_every_sqlite3_error(cls: type[sqlite3.Error]) -> None:
    err = translator("test.db")(cls("something went wrong"))
    assert isinstance(err, prism.PrismError)
    assert "unexpected" not in str(err)


def test_sqlite_translation_of_specific_errors() -> None:
    translate = translator("test.db")
    assert isinstance(
        translate(sqlite3.DataError("string or blob too big")), prism.ValueTooLargeError
    )
    closed = sqlite3.ProgrammingError("Cannot operate on a closed database.")
    assert isinstance(translate(closed), prism.BackendUnavailableError)
    assert isinstance(translate(sqlite3.NotSupportedError("no")), prism.UnsupportedError)
    assert isinstance(translate(PermissionError(13, "denied")), prism.ConfigurationError)
    assert isinstance(translate(OSError(5, "I/O error")), prism.BackendUnavailableError)
    for bug in (TypeError("x"), KeyError("x"), ValueError("x"), AttributeError("x")):
        assert translate(bug) is None


def test_redis_translates_every_redis_error_and_nothing_else() -> None:
    rx = pytest.importorskip("redis.exceptions")
    from prism.backends.redis._errors import translate

    classes = [
        value
        for value in vars(rx).values()
        if isinstance(value, type) and issubclass(value, rx.RedisError)
    ]
    assert len(classes) > 10
    for cls in classes:
        # "slot host:port" is the reply text MOVED/ASK parse; any text serves the others
        assert isinstance(translate(cls("1 127.0.0.1:7000")), prism.PrismError), cls
    assert isinstance(translate(rx.ConnectionError("down")), prism.BackendUnavailableError)
    assert isinstance(translate(rx.WatchError("changed")), prism.ConflictError)
    for bug in (TypeError("x"), KeyError("x"), ValueError("x"), AttributeError("x")):
        assert translate(bug) is None


def test_the_shared_helper_chains_what_it_knows_and_reraises_the_rest() -> None:
    def translate(exc: BaseException) -> prism.PrismError | None:
        return prism.ConflictError("mapped") if isinstance(exc, LookupError) else None

    with (
        pytest.raises(prism.ConflictError) as caught,
        shared.translating("demo", "get", translate),
    ):
        raise LookupError("driver said no")
    assert isinstance(caught.value.__cause__, LookupError)
    assert (caught.value.backend, caught.value.operation) == ("demo", "get")

    bug = TypeError("a bug")
    with pytest.raises(TypeError) as raw, shared.translating("demo", "get", translate):
        raise bug
    assert raw.value is bug and raw.value.__cause__ is None

    already = prism.KeyNotFoundError("key 'k' not found", backend="other", operation="get")
    with (
        pytest.raises(prism.KeyNotFoundError) as same,
        shared.translating("demo", "set", translate),
    ):
        raise already
    assert same.value is already and same.value.backend == "other"

    try:
        raise LookupError("hot path")
    except LookupError as exc:
        err = shared.translated(exc, "demo", "scan", translate)
    assert isinstance(err, prism.ConflictError) and err.operation == "scan"
    with pytest.raises(TypeError):
        shared.translated(bug, "demo", "scan", translate)


def test_redis_and_sqlite_use_the_one_shared_helper() -> None:
    pytest.importorskip("redis")
    import prism.backends.redis._async._facet as redis_async_common
    import prism.backends.redis._errors as redis_errors
    import prism.backends.redis._facet as redis_common
    import prism.backends.sqlite._core as sqlite_db

    assert not hasattr(redis_errors, "fail")
    assert redis_common.translated is shared.translated
    assert redis_async_common.translated is shared.translated
    assert sqlite_db.translated is shared.translated
    assert sqlite_db.translating is shared.translating
    # no backend keeps a private copy of the helper's body
    backends = Path(shared.__file__).parent
    copies = [
        path
        for path in backends.rglob("*.py")
        if path.name != "_errors.py" or path.parent != backends
        if "err.operation = err.operation or" in path.read_text(encoding="utf-8")
    ]
    assert copies == []


def test_the_redis_hot_path_lets_a_bug_through_and_translates_redis_errors() -> None:
    rx = pytest.importorskip("redis.exceptions")
    from prism.backends.redis._facet import RedisFacet

    facet = object.__new__(RedisFacet)  # _fail needs only the backend's name
    facet._name = "redis"

    def call(raising: BaseException) -> None:
        """A facet method's shape: a bare try/except around the driver call."""
        try:
            raise raising
        except Exception as exc:
            raise facet._fail(exc, "get") from exc

    bug = TypeError("a bug in prism")
    with pytest.raises(TypeError) as raw:
        call(bug)
    assert raw.value is bug

    down = rx.ConnectionError("Connection refused")
    with pytest.raises(prism.BackendUnavailableError) as caught:
        call(down)
    assert caught.value.__cause__ is down
    assert (caught.value.backend, caught.value.operation) == ("redis", "get")


# ----- opening a connection: refusals become BackendUnavailableError, bugs propagate -------------


class _FailingOpen:
    """memstore backends whose ``open`` raises what the test puts in ``RAISE``."""

    RAISE: BaseException = OSError("connection refused")


class _SyncFailingOpen(MemstoreBackend):
    def open(self) -> None:
        raise _FailingOpen.RAISE


class _AsyncFailingOpen(AsyncMemstoreBackend):
    async def open(self) -> None:
        raise _FailingOpen.RAISE


class _FailingOpenPlugin:
    @prism.plugins.hookimpl
    def prism_backends(self) -> list[prism.plugins.BackendPlugin]:
        return [
            prism.plugins.BackendPlugin(
                name="failing-open",
                declaration={"backend": "failing-open", "implements": ["keyvalue_basic"]},
                sync_class=f"{__name__}:_SyncFailingOpen",
                async_class=f"{__name__}:_AsyncFailingOpen",
            )
        ]


@pytest.fixture
def failing_open() -> Iterator[dict[str, Any]]:
    prism.plugins.register(_FailingOpenPlugin(), name="prism-failing-open")
    try:
        yield {"backends": {"b": {"type": "failing-open"}}, "default_backend": "b"}
    finally:
        prism.plugins.unregister(name="prism-failing-open")


def test_a_refused_connection_at_open_is_backend_unavailable(failing_open: dict[str, Any]) -> None:
    refused = ConnectionRefusedError(111, "Connection refused")
    _FailingOpen.RAISE = refused
    with pytest.raises(prism.BackendUnavailableError) as caught:
        prism.open("ns", config=failing_open)
    assert caught.value.__cause__ is refused
    with pytest.raises(prism.BackendUnavailableError):
        asyncio.run(prism.open_async("ns", config=failing_open))


def test_a_bug_in_a_backends_open_propagates_unchanged(failing_open: dict[str, Any]) -> None:
    bug = TypeError("can only concatenate str (not 'int') to str")
    _FailingOpen.RAISE = bug
    with pytest.raises(TypeError) as caught:
        prism.open("ns", config=failing_open)
    assert caught.value is bug
    with pytest.raises(TypeError) as caught_async:
        asyncio.run(prism.open_async("ns", config=failing_open))
    assert caught_async.value is bug
