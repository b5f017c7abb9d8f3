from __future__ import annotations

import ast
import doctest
import subprocess
import sys
from pathlib import Path

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
