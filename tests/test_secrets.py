"""A connection string that fails to parse never shows its password: not in the error's text,
repr or args, not in any exception chained to it, not in log output, not in ``prism validate``.
A credential provider's secret (every provider kind, on every backend type that takes
``credentials:``) never shows either: not in reprs, ``prism validate``, ``prism acl``,
``prism health`` or logs.

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


# -- credential providers (issue 17) ---------------------------------------------------------
# Every provider kind on every backend type that takes ``credentials:``.  The secret the
# provider hands out is ``pw()``; a row first checks that the provider really hands it out, then
# that it shows nowhere: reprs and strs of the configuration, the plan, the settings, the backend,
# the provider and the credential; ``prism validate``, ``prism acl``; log records.

CREDENTIAL_TYPES: dict[str, tuple[str, dict[str, object]]] = {
    # every endpoint refuses connections at once (port 1), and fails fast
    "redis": ("redis://127.0.0.1:1/0", {"retries": 0}),
    "redis-cluster": ("redis://127.0.0.1:1", {}),
    "postgres": ("postgresql://127.0.0.1:1/db", {}),
    "nats": ("nats://127.0.0.1:1", {}),
    "s3": ("http://127.0.0.1:1/bkt", {"region": "us-east-1", "max_attempts": 1}),
    "minio": ("http://127.0.0.1:1/bkt", {"region": "us-east-1", "max_attempts": 1}),
    "kafka": ("kafka://127.0.0.1:1", {"timeout": 0.5}),
    "neptune": ("ws://127.0.0.1:1/gremlin", {"region": "us-east-1"}),
}
PROVIDERS = ("static", "file", "command", "oidc", "aws")
KEY_ID = "AKIAPRISMTEST"  # a user name / access key id: not a secret, may be shown
CLIENT_SECRET = "app-secret"  # the OIDC client's own secret (tests.test_credentials)


class _SecretTokens:
    """The loopback token endpoint of tests.test_credentials, issuing ``pw()`` as the token."""

    def __init__(self) -> None:
        from tests.test_credentials import TokenEndpoint

        class Endpoint(TokenEndpoint):
            def issue(self) -> str:
                self.issued.append(pw())
                return pw()

        self.endpoint = Endpoint()


@pytest.fixture
def credential_source(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, object]]:
    """The ``credentials:`` block of provider kind ``request.param``, whose secret is ``pw()``."""
    import sys

    kind = request.param
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    if kind == "static":
        yield {"provider": "static", "username": KEY_ID, "password": pw()}
    elif kind == "file":
        path = tmp_path / "secret"
        path.write_text(pw() + "\n")
        yield {"provider": "file", "path": str(path), "username": KEY_ID}
    elif kind == "command":
        monkeypatch.setenv("PRISM_TEST_CMD_SECRET", pw())
        program = "import os; print(os.environ['PRISM_TEST_CMD_SECRET'])"
        yield {
            "provider": "command",
            "command": [sys.executable, "-c", program],
            "username": KEY_ID,
        }
    elif kind == "oidc":
        tokens = _SecretTokens().endpoint
        with tokens:
            yield {
                "provider": "oidc",
                "token_url": tokens.url,
                "client_id": "app",
                "client_secret": CLIENT_SECRET,
                "username": KEY_ID,
            }
    else:  # aws: botocore's chain, from the environment only
        for var in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", pw())
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield {"provider": "aws"}


def credential_config(type_: str, credentials: dict[str, object]) -> dict[str, object]:
    connection, options = CREDENTIAL_TYPES[type_]
    return {
        "backends": {
            "db": {
                "type": type_,
                "connection": connection,
                "options": options,
                "credentials": credentials,
            }
        },
        "namespaces": {"app": {"backend": "db"}},
    }


def write_yaml(path: Path, mapping: dict[str, object]) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(mapping))
    return path


def assert_no_secret(*chunks: str) -> None:
    assert_clean(*chunks)
    for chunk in chunks:
        assert CLIENT_SECRET not in chunk, chunk


def cli_output(result: object) -> str:
    out = str(getattr(result, "output", ""))
    if getattr(result, "stderr_bytes", None):
        out += str(getattr(result, "stderr", ""))
    return out


@pytest.mark.parametrize("credential_source", PROVIDERS, indirect=True)
@pytest.mark.parametrize("type_", sorted(CREDENTIAL_TYPES))
def test_a_providers_secret_never_shows(
    type_: str,
    credential_source: dict[str, object],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from prism.backends.settings import settings_for
    from prism.registry.registry import get_registry
    from prism.registry.resolver import load_config, resolve

    caplog.set_level(logging.DEBUG)
    mapping = credential_config(type_, credential_source)
    loaded = load_config(mapping)
    assert loaded is not None
    plan = resolve("app", loaded, get_registry())
    assert plan.credentials is not None
    settings = settings_for(plan)  # what prism.open gives the backend
    provider = settings.credentials
    assert provider is not None
    credential = provider.get()
    assert credential.secret == pw()  # the row does hand the secret out
    assert credential.username == KEY_ID
    backend = plan.backend.load_class()(settings)
    shown = [repr(loaded), str(loaded), repr(plan), str(plan), repr(plan.credentials)]
    shown += [repr(provider), str(provider), provider.describe(), repr(credential), str(credential)]
    shown += [repr(settings), str(settings), repr(backend), str(backend)]
    path = write_yaml(tmp_path / "prism.yaml", mapping)
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", str(path)])
    assert validated.exit_code == 0, cli_output(validated)
    rules = runner.invoke(main, ["acl", "app", "--config", str(path)])
    assert rules.exit_code == 0, cli_output(rules)
    assert_no_secret(*shown, cli_output(validated), cli_output(rules), caplog.text)


# `prism health` opens the namespace against a refused port: the error it prints and logs never
# shows the secret.  Only backend types whose refused connection fails in about a second run
# here (redis retries and a NATS connect take several seconds each: the CI budget).
FAST_FAILING = ("kafka", "minio", "neptune", "postgres", "redis-cluster", "s3")


@pytest.mark.parametrize("credential_source", PROVIDERS, indirect=True)
@pytest.mark.parametrize("type_", FAST_FAILING)
def test_prism_health_never_shows_a_providers_secret(
    type_: str,
    credential_source: dict[str, object],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    path = write_yaml(tmp_path / "prism.yaml", credential_config(type_, credential_source))
    result = CliRunner().invoke(main, ["health", "app", "--config", str(path), "--timeout", "1"])
    assert_no_secret(cli_output(result), caplog.text)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert_no_secret(*texts(result.exception))
        raise result.exception  # prism health crashed instead of reporting
    assert result.exit_code == 1, cli_output(result)  # down, and said so
    assert "app" in cli_output(result)
