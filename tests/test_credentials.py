"""Credential providers (prism.credentials), their configuration, ``prism validate`` and
``prism acl`` — without a data server.  The OIDC provider talks to a real token endpoint that
the tests start on a loopback port."""

from __future__ import annotations

import http.server
import json
import os
import stat
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pytest
from click.testing import CliRunner

from prism.acl import access_rules, principal_for
from prism.cli import main
from prism.credentials import (
    CommandProvider,
    Credential,
    FileProvider,
    OIDCProvider,
    StaticProvider,
    provider_for,
)
from prism.errors import BackendUnavailableError, ConfigurationError
from prism.registry.models import BackendConnection, NamespaceConfig, PrismConfig

SECRET = "s3cr3t-Pa55-%41"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# -- static, file, command ---------------------------------------------------------------------


def test_a_credential_and_a_provider_never_show_their_secret() -> None:
    cred = Credential("app", SECRET, 5.0)
    provider = StaticProvider(SECRET, "app")
    for text in (repr(cred), str(cred), repr(provider), provider.describe()):
        assert SECRET not in text
    assert provider.get() == cred.__class__("app", SECRET)


def test_file_provider_reads_again_when_the_mounted_secret_is_replaced(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("first\n")
    provider = FileProvider(secret, username="app")
    assert provider.get() == Credential("app", "first")
    assert provider.get() == Credential("app", "first")
    assert provider.fetches == 1  # unchanged file: a stat, no read
    # Kubernetes swaps a symlinked directory: the path now names a new file (new inode)
    replacement = tmp_path / "password.new"
    replacement.write_text("second")
    replacement.replace(secret)
    assert provider.get() == Credential("app", "second")
    # rewritten in place with the same length: the mtime tells
    os.utime(secret, ns=(1, 1))
    secret.write_text("thirdd")
    assert provider.get().secret == "thirdd"
    assert provider.fetches == 3


def test_file_provider_json_document_with_expiry_refreshes_before_it(tmp_path: Path) -> None:
    clock = Clock()
    doc = tmp_path / "token.json"
    doc.write_text(json.dumps({"username": "svc", "token": "t1", "expires_in": 300}))
    provider = FileProvider(doc, format="json", refresh_margin=60, clock=clock)
    first = provider.get()
    assert (first.username, first.secret, first.expires_at) == ("svc", "t1", clock.now + 300)
    clock.now += 239  # 61 s before expiry: still fresh
    assert provider.get() is first
    clock.now += 1  # inside the margin: read again
    assert provider.get() is not first
    assert provider.fetches == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("   \n", "is empty"),
    ],
)
def test_file_provider_refuses_an_empty_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "pw"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=message):
        FileProvider(path).get()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "not a JSON object"),
        ("[1]", "not a JSON object"),
        ('{"username": "u"}', "no non-empty string 'password' or 'token'"),
        ('{"password": ""}', "no non-empty string 'password' or 'token'"),
        ('{"password": "p", "username": 3}', "'username' must be a string"),
        ('{"password": "p", "expires_at": "soon"}', "'expires_at' must be seconds"),
    ],
)
def test_file_provider_json_errors_name_the_problem_not_the_secret(
    tmp_path: Path, document: str, message: str
) -> None:
    path = tmp_path / "doc.json"
    path.write_text(document)
    with pytest.raises(ConfigurationError, match=message) as info:
        FileProvider(path, format="json").get()
    assert 'password": "p' not in str(info.value)


def test_file_provider_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read the credential file"):
        FileProvider(tmp_path / "absent").get()


def test_command_provider_runs_again_after_its_ttl_and_reports_failures_by_status() -> None:
    clock = Clock()
    script = "import itertools,sys; print('tok-' + str(__import__('time').time_ns()))"
    provider = CommandProvider([sys.executable, "-c", script], ttl=30, clock=clock)
    first = provider.get()
    assert first.secret.startswith("tok-") and first.expires_at == clock.now + 30
    assert provider.get() is first
    clock.now += 30
    second = provider.get()
    assert second.secret != first.secret
    assert provider.fetches == 2

    leaky = CommandProvider(
        [sys.executable, "-c", f"import sys; print({SECRET!r}); sys.exit(3)"], clock=clock
    )
    with pytest.raises(ConfigurationError, match="failed with exit status 3") as info:
        leaky.get()
    assert SECRET not in str(info.value)
    with pytest.raises(ConfigurationError, match="was not found"):
        CommandProvider(["/nonexistent/prism-vault-cli"]).get()
    with pytest.raises(ConfigurationError, match="printed nothing"):
        CommandProvider([sys.executable, "-c", "pass"]).get()
    with pytest.raises(BackendUnavailableError, match="did not finish within"):
        CommandProvider([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.3).get()


def test_command_provider_json_output_carries_user_and_expiry() -> None:
    clock = Clock()
    doc = json.dumps({"username": "dyn", "password": "pw", "expires_at": clock.now + 900})
    provider = CommandProvider([sys.executable, "-c", f"print({doc!r})"], format="json")
    cred = provider.get()
    assert (cred.username, cred.secret, cred.expires_at) == ("dyn", "pw", clock.now + 900)


def test_invalidate_forgets_only_the_credential_that_was_rejected(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("one")
    provider = FileProvider(path)
    old = provider.get()
    assert provider.invalidate(old) is True
    new = provider.get()
    assert provider.invalidate(old) is False  # already replaced: no second fetch
    assert provider.get() is new


# -- OIDC client credentials against a real loopback token endpoint ----------------------------


class TokenEndpoint:
    """A loopback OAuth 2 token endpoint: client ``app`` / ``app-secret``; tokens ``tok-<n>``."""

    def __init__(self, expires_in: int = 3600) -> None:
        self.expires_in = expires_in
        self.issued: list[str] = []
        self.requests: list[dict[str, list[str]]] = []
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                endpoint.requests.append(form)
                if form.get("client_secret") != ["app-secret"] or form.get("client_id") != ["app"]:
                    self.send_response(401)
                    self.end_headers()
                    self.wfile.write(b'{"error": "invalid_client"}')
                    return
                token = endpoint.issue()
                body = json.dumps(
                    {
                        "access_token": token,
                        "token_type": "Bearer",
                        "expires_in": endpoint.expires_in,
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oauth2/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.on_issue: Any = None

    def issue(self) -> str:
        token = f"tok-{len(self.issued) + 1}"
        self.issued.append(token)
        if self.on_issue is not None:
            self.on_issue(token)
        return token

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[TokenEndpoint]:
    with TokenEndpoint() as ep:
        yield ep


def test_oidc_fetches_caches_in_a_private_file_and_refreshes_before_expiry(
    endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    clock = Clock()
    provider = OIDCProvider(
        endpoint.url,
        "app",
        "app-secret",
        scopes=["redis", "read"],
        cache_dir=tmp_path,
        refresh_margin=120,
        clock=clock,
    )
    cred = provider.get()
    assert cred.secret == "tok-1" and cred.expires_at == clock.now + 3600
    assert endpoint.requests[0]["grant_type"] == ["client_credentials"]
    assert endpoint.requests[0]["scope"] == ["redis read"]
    assert provider.cache_file is not None
    assert stat.S_IMODE(provider.cache_file.stat().st_mode) == 0o600
    assert "app-secret" not in provider.cache_file.read_text()

    # a second process (a second provider) uses the cached token: no request
    again = OIDCProvider(
        endpoint.url,
        "app",
        "app-secret",
        scopes=["read", "redis"],
        cache_dir=tmp_path,
        refresh_margin=120,
        clock=clock,
    )
    assert again.get().secret == "tok-1" and len(endpoint.requests) == 1

    clock.now += 3600 - 121
    assert provider.get().secret == "tok-1"
    clock.now += 1  # 120 s before expiry: refreshed ahead of time
    assert provider.get().secret == "tok-2"
    assert len(endpoint.requests) == 2


def test_oidc_does_not_trust_a_cache_file_others_can_read(
    endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    provider = OIDCProvider(endpoint.url, "app", "app-secret", cache_dir=tmp_path)
    provider.get()
    assert provider.cache_file is not None
    provider.cache_file.chmod(0o644)
    fresh = OIDCProvider(endpoint.url, "app", "app-secret", cache_dir=tmp_path)
    assert fresh.get().secret == "tok-2"


def test_oidc_rejection_and_outage_are_specific_errors_without_secrets(
    endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    bad = OIDCProvider(endpoint.url, "app", SECRET, cache=False)
    with pytest.raises(ConfigurationError, match="refused the client credentials of 'app'") as e:
        bad.get()
    assert SECRET not in str(e.value)
    endpoint.server.shutdown()
    endpoint.server.server_close()
    down = OIDCProvider(endpoint.url, "app", "app-secret", cache=False, timeout=2)
    with pytest.raises(BackendUnavailableError, match="unreachable"):
        down.get()
    with pytest.raises(ConfigurationError, match="must be an http"):
        OIDCProvider("ftp://idp/token", "app", "x")


def test_oidc_invalidate_drops_the_cache_file_so_the_next_get_asks_again(
    endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    provider = OIDCProvider(endpoint.url, "app", "app-secret", cache_dir=tmp_path)
    first = provider.get()
    assert provider.invalidate(first)
    assert provider.cache_file is not None and not provider.cache_file.exists()
    assert provider.get().secret == "tok-2"


# -- configuration ------------------------------------------------------------------------------


def test_credentials_in_prism_yaml_parse_and_equal_configs_share_one_provider(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pw"
    path.write_text(SECRET)
    config = PrismConfig.model_validate(
        {
            "backends": {
                "cache": {
                    "type": "redis",
                    "connection": "redis://127.0.0.1:6379/0",
                    "credentials": {"provider": "file", "path": str(path), "username": "app"},
                }
            },
            "namespaces": {
                "tenant-a": {
                    "backend": "cache",
                    "credentials": {"provider": "static", "username": "a", "password": SECRET},
                },
                "shared": {"backend": "cache"},
            },
        }
    )
    conn = config.backends["cache"]
    assert conn.credentials is not None
    ns = config.namespaces["tenant-a"]
    assert SECRET not in repr(config) and SECRET not in repr(ns) and SECRET not in repr(conn)
    a = provider_for(conn.credentials)
    b = provider_for(conn.credentials.model_copy())
    assert a is b and a.get().secret == SECRET


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ({"provider": "vault"}, "provider"),
        ({"provider": "static"}, "password"),
        ({"provider": "static", "password": ""}, "password"),
        ({"provider": "file"}, "path"),
        ({"provider": "command", "command": []}, "command"),
        ({"provider": "oidc", "token_url": "https://idp/t", "client_id": "a"}, "client_secret"),
        ({"provider": "file", "path": "/x", "pasword": "typo"}, "pasword"),
    ],
)
def test_bad_credentials_entries_are_refused_naming_the_field(
    credentials: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        BackendConnection.model_validate(
            {"type": "redis", "connection": "redis://h", "credentials": credentials}
        )
    with pytest.raises(ValueError, match=message):
        NamespaceConfig.model_validate({"backend": "r", "credentials": credentials})


def test_prism_validate_checks_credential_sources_on_this_machine(tmp_path: Path) -> None:
    config = tmp_path / "prism.yaml"
    config.write_text(
        "backends:\n"
        "  r:\n"
        "    type: redis\n"
        "    connection: redis://127.0.0.1:6379/0\n"
        f"    credentials: {{provider: file, path: {tmp_path / 'absent'}}}\n"
        "namespaces:\n"
        "  n:\n"
        "    backend: r\n"
        "    credentials: {provider: command, command: [prism-no-such-vault-cli, read]}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(config)])
    assert result.exit_code == 1
    assert "backends.r: credentials.path: the file" in result.output
    assert "namespaces.n: credentials.command: the program 'prism-no-such-vault-cli'" in (
        result.output
    )


# -- prism acl ----------------------------------------------------------------------------------


def test_prism_acl_prints_exact_rules_and_never_a_secret(tmp_path: Path) -> None:
    config = tmp_path / "prism.yaml"
    config.write_text(
        "backends:\n"
        "  cache: {type: redis, connection: 'redis://:" + SECRET + "@127.0.0.1:6379/0'}\n"
        "  db: {type: postgres, connection: 'postgresql://admin:" + SECRET + "@h/appdb'}\n"
        "namespaces:\n"
        "  'orders[eu]*':\n"
        "    backend: cache\n"
        "    credentials: {provider: static, username: orders, password: '" + SECRET + "'}\n"
        "  billing: {backend: db}\n"
    )
    runner = CliRunner()
    result = runner.invoke(main, ["acl", "orders[eu]*", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    # the glob metacharacters of the namespace are escaped: the rule matches only its keys
    assert r"~prism:{orders\[eu\]\*}:* " in result.output
    assert r"&prism:{orders\[eu\]\*}:*" in result.output
    assert "ACL SETUSER orders reset on ><password>" in result.output

    result = runner.invoke(main, ["acl", "billing", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert 'CREATE ROLE "prism-billing" LOGIN' in result.output
    assert 'GRANT CONNECT ON DATABASE "appdb"' in result.output
    assert 'AUTHORIZATION "prism-billing"' in result.output

    result = runner.invoke(main, ["acl", "nope", "--config", str(config)])
    assert result.exit_code == 1 and "not configured" in result.output


def test_principal_names_are_safe_for_every_server() -> None:
    assert principal_for("orders eu/1") == "prism-orders_eu_1"
    assert principal_for("x", "configured") == "configured"


def test_access_rules_for_the_embedded_default_need_no_server_users() -> None:
    (rules,) = access_rules("anything")
    assert rules.rules == [] and rules.system == "embedded"


def test_prism_acl_for_kafka_and_s3_names_exact_prefixes(tmp_path: Path) -> None:
    config = tmp_path / "prism.yaml"
    config.write_text(
        "backends:\n"
        "  events: {type: kafka, connection: 'kafka://127.0.0.1:9092',"
        " options: {topic_prefix: app, group_prefix: grp}}\n"
        "  blobs: {type: s3, connection: 'http://AKIA:" + SECRET + "@127.0.0.1:9000/bkt'}\n"
        "namespaces:\n"
        "  'orders/eu': {backend: events}\n"
        "  'files eu': {backend: blobs}\n"
    )
    runner = CliRunner()
    result = runner.invoke(main, ["acl", "orders/eu", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "--resource-pattern-type prefixed --topic app.orders_2feu." in result.output
    assert "--resource-pattern-type prefixed --group grp.app.orders_2feu." in result.output
    assert "User:prism-orders_eu" in result.output

    result = runner.invoke(main, ["acl", "files eu", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    policy = json.loads(result.output.split("\n", 2)[2])
    get, listing = policy["Statement"]
    assert get["Resource"].startswith("arn:aws:s3:::bkt/") and get["Resource"].endswith("/*")
    assert "files" in get["Resource"] and " " not in get["Resource"]
    assert listing["Condition"]["StringLike"]["s3:prefix"] == get["Resource"].split("bkt/")[1]


def test_kafka_sasl_takes_the_providers_credential_and_refreshes_bearer_tokens() -> None:
    from prism.backends.kafka._config import parse_config, with_credentials

    clock = Clock()
    plain = parse_config("kafka", "kafka://b:9092", {"sasl_mechanism": "SCRAM-SHA-512"})
    wired = with_credentials(plain, StaticProvider(SECRET, "svc"))
    assert wired.client["sasl.username"] == "svc" and wired.client["sasl.password"] == SECRET
    assert SECRET not in repr(wired)
    with pytest.raises(ConfigurationError, match="needs one"):
        with_credentials(plain, StaticProvider(SECRET))

    bearer = parse_config(
        "kafka",
        "kafka://b:9092",
        {"sasl_mechanism": "OAUTHBEARER", "sasl_oauthbearer_client_secret": "other"},
    )
    doc_tokens = iter(["tok-1", "tok-2"])

    class Rotating(StaticProvider):
        def _fetch(self) -> Credential:
            return Credential(None, next(doc_tokens), clock.now + 600)

    provider = Rotating("unused", clock=clock)
    wired = with_credentials(bearer, provider)
    assert "sasl.oauthbearer.client.secret" not in wired.client
    oauth_cb = wired.client["oauth_cb"]
    assert oauth_cb("") == ("tok-1", clock.now + 600)
    clock.now += 600  # librdkafka asks again before expiry; the provider fetches a new token
    assert oauth_cb("")[0] == "tok-2"
