from __future__ import annotations

import ast
import doctest
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from prism.cli import DEMO, main


def test_demo_runs_and_exits_zero() -> None:
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "keyvalue" in result.output and "compare_and_swap" in result.output


def test_demo_prints_the_code_it_runs_and_what_it_returned(tmp_path: Path) -> None:
    # A fresh process, as a user runs it (the embedded default keeps data for a process's life).
    run = [sys.executable, "-c", "from prism.cli import main; main(['demo'])"]
    out = subprocess.run(run, capture_output=True, text=True, check=True, timeout=60).stdout
    # every statement of every step is printed, in order, as typed at the Python prompt ...
    examples = doctest.DocTestParser().get_examples(out)
    shown = [example.source.rstrip("\n") for example in examples]
    code = "\n".join(step.strip("\n") for _title, step in DEMO)
    assert shown == code.splitlines()
    assert len(shown) == len(ast.parse(code).body)
    assert "prism.open(" in shown[1] and "kv.compare_and_swap(" in out
    # ... and what is printed under it is what that code does: replayed as a doctest in another
    # fresh interpreter, every example gives the printed result (values and raised errors).
    session = tmp_path / "demo.txt"
    session.write_text(out, encoding="utf-8")
    replay = subprocess.run(
        [sys.executable, "-m", "doctest", str(session)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert sum(1 for e in examples if e.exc_msg) == 4  # KeyNotFound, 2 x InvalidArgument, needs


def test_registry_table_lists_backends_and_interfaces() -> None:
    result = CliRunner().invoke(main, ["registry"])
    assert result.exit_code == 0, result.output
    assert "memstore" in result.output and "keyvalue_basic" in result.output


def test_validate_ok(tmp_path: Path) -> None:
    path = tmp_path / "prism.yaml"
    path.write_text("backends:\n  local: {type: memstore}\nnamespaces:\n  c: {backend: local}\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_validate_prints_every_problem_with_its_location(tmp_path: Path) -> None:
    path = tmp_path / "prism.yaml"
    path.write_text(
        "backends:\n  local: {type: sqlite, connection: ':memory:'}\n  weird: {type: nosuch}\n"
        "namespaces:\n  a: {backend: weird}\n  b: {backend: local, needs: [sortedset_rank]}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}: backends.weird.type" in result.output
    assert f"{path}: namespaces.a" in result.output
    assert f"{path}: namespaces.b" in result.output and "sortedset_rank" in result.output


def test_validate_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / "prism.yaml"
    path.write_text("backends: [\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert str(path) in result.output


def test_validate_reports_every_connection_option_and_type_problem_in_one_run(
    tmp_path: Path,
) -> None:
    path = tmp_path / "prism.yaml"
    path.write_text(
        "backends:\n"
        "  good: {type: memstore, connection: 'memory://ok'}\n"
        "  db: {type: sqlite, connection: ':memory:'}\n"
        "  wrongurl: {type: sqlite, connection: 'redis://localhost:6379/0'}\n"
        "  typo_option:\n"
        "    type: redis\n"
        "    connection: 'redis://app:s3cr3t-pw@localhost:6379/0'\n"
        "    options: {socket_timeot: 2}\n"
        "  bad_type_option: {type: redis, options: {max_connections: many}}\n"
        "  slow: {type: sqlite, connection: ':memory:', options: {busy_timeout: soon}}\n"
        "  mem_option: {type: memstore, options: {clok: 1}}\n"
        "  not_a_string: {type: memstore, connection: 5}\n"
        "  misspelt: {type: redsi}\n"
        "namespaces:\n"
        "  fine: {backend: good}\n"
        "  bad_needs: {backend: good, needs: [keyvalue_bsic]}\n"
        "  on_broken: {backend: wrongurl}\n"
        "  lacking: {backend: db, needs: [sortedset_rank]}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    out = result.output
    expected = {
        "backends.wrongurl": "sqlite",
        "backends.typo_option": "socket_timeot",
        "backends.bad_type_option": "max_connections",
        "backends.slow": "busy_timeout",
        "backends.mem_option": "clok",
        "backends.not_a_string.connection": "string",
        "backends.misspelt.type": "did you mean 'redis'?",
        "namespaces.bad_needs.needs": "did you mean 'keyvalue_basic'?",
        "namespaces.on_broken": "wrongurl",
        "namespaces.lacking": "sortedset_rank",
    }
    lines = out.splitlines()
    for where, text in expected.items():
        found = [line for line in lines if line.startswith(f"{path}: {where}")]
        assert found, f"{where} not reported:\n{out}"
        assert any(text in line for line in found), f"{where}: {found}"
    assert not any(f"{path}: backends.good" in line for line in lines)
    assert not any(f"{path}: namespaces.fine" in line for line in lines)
    assert f"{len(expected)} problem(s)" in out
    assert "s3cr3t-pw" not in out


def test_validate_names_unknown_sections_and_undefined_backends(tmp_path: Path) -> None:
    path = tmp_path / "prism.yaml"
    path.write_text(
        "backends:\n  local: {type: memstore}\n"
        "namespace:\n  a: {backend: local}\n"
        "namespaces:\n  b: {backend: elsewhere}\n"
        "default_backend: locl\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}: namespace: unknown section (did you mean 'namespaces'?)" in result.output
    assert f"{path}: namespaces.b: uses backend 'elsewhere'" in result.output
    assert f"{path}: default_backend: 'locl' is not one of the backends" in result.output


def test_validate_uses_each_backends_own_settings_parser(tmp_path: Path) -> None:
    """Each built-in plugin names a parser, and validate accepts what the backends accept."""
    from prism.registry.registry import get_registry

    for name, entry in get_registry().backends.items():
        if entry.plugin.sync_class.startswith("prism."):
            assert entry.plugin.parse_settings, f"{name} names no settings parser"
    path = tmp_path / "prism.yaml"
    db = tmp_path / "app.db"
    path.write_text(
        "backends:\n"
        f"  file: {{type: sqlite, connection: 'sqlite:///{db}', options: {{busy_timeout: 2}}}}\n"
        "  cache: {type: redis, connection: 'redis://localhost:6379/1',"
        " options: {socket_timeout: 2, key_prefix: app}}\n"
        "  mem: {type: memstore, connection: 'memory://x'}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert not db.exists()  # parsing connects to nothing


def test_open_suggests_the_nearest_backend_type() -> None:
    import prism
    from prism.errors import ConfigurationError

    config = {
        "backends": {"b": {"type": "sqlit", "connection": ":memory:"}},
        "default_backend": "b",
    }
    with pytest.raises(ConfigurationError, match="did you mean 'sqlite'"):
        prism.open("ns", config=config)


def test_validate_a_missing_variable_hides_no_other_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRISM_TEST_UNSET_VAR", raising=False)
    monkeypatch.setenv("PRISM_TEST_CACHE_URL", "redis://u:hunter2-secret@localhost:6379/0")
    path = tmp_path / "prism.yaml"
    path.write_text(
        "backends:\n"
        "  a: {type: redis, connection: '${PRISM_TEST_UNSET_VAR}'}\n"
        "  b: {type: redis, connection: '${PRISM_TEST_CACHE_URL}', options: {retries: x}}\n"
        "  c: {type: sqlite}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "PRISM_TEST_UNSET_VAR is not set" in result.output
    assert f"{path}: backends.b: redis option 'retries'" in result.output
    assert f"{path}: backends.c: " in result.output and "needs a connection" in result.output
    assert "hunter2-secret" not in result.output
