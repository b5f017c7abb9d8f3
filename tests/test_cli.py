from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from prism.cli import main


def test_demo_runs_and_exits_zero() -> None:
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "keyvalue" in result.output and "compare_and_swap" in result.output


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
        "backends:\n  local: {type: memstore}\n  weird: {type: nosuch}\n"
        "namespaces:\n  a: {backend: weird}\n  b: {backend: local, needs: [graph_query]}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}: backends.weird.type" in result.output
    assert f"{path}: namespaces.a" in result.output
    assert f"{path}: namespaces.b" in result.output and "graph_query" in result.output


def test_validate_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / "prism.yaml"
    path.write_text("backends: [\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert str(path) in result.output
