"""graph_query's reference implementations: memstore's Gremlin subset (prism._gremlin) and
sqlite's read-only SQL over the namespace's nodes and edges."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

import prism


def _config(kind: str, tmp_path: Path) -> dict[str, Any]:
    connection = f"sqlite:///{tmp_path / 'g.db'}" if kind == "sqlite" else None
    entry: dict[str, Any] = {"type": kind}
    if connection:
        entry["connection"] = connection
    return {"backends": {"b": entry}, "default_backend": "b"}


def _seed(graph: Any) -> None:
    graph.add_node("n10", "person", {"name": "Ann", "age": 30, "on": True})
    graph.add_node("n9", "person", {"name": "Bo", "age": 1, "tags": ["x"]})
    graph.add_node("c", "city", {"name": "Rome"})
    graph.add_edge("e2", "n10", "n9", "knows", {"w": 2})
    graph.add_edge("e1", "n10", "c", "lives", {})
    graph.add_edge("e3", "n9", "n10", "knows", {})


def test_memstore_gremlin_subset(tmp_path: Path) -> None:
    with prism.open(f"m-{uuid.uuid4().hex[:6]}", config=_config("memstore", tmp_path)) as ns:
        g = ns.graph
        _seed(g)
        q = g.query
        assert q("gremlin", "g.V().id()") == ["c", "n10", "n9"]  # code point order
        assert q("gremlin", "g.V('n10').out().id()") == ["c", "n9"]
        assert q("gremlin", "g.V('n10').in('knows').values('name')") == ["Bo"]
        assert q("gremlin", "g.V('n10').in_('knows').id()") == ["n9"]
        assert q("gremlin", "g.V().has('on', 1).id()") == []  # true is not 1
        assert q("gremlin", "g.V().has('on', true).id()") == ["n10"]
        assert q("gremlin", "g.V().has('person', 'age', a).id()", {"a": 1}) == ["n9"]
        assert q("gremlin", "g.V().both().dedup().count()") == [3]
        assert q("gremlin", "g.E().has_label('knows').order().limit(1).id()") == ["e2"]
        assert q("gremlin", "g.E('e2').elementMap()") == [
            {"id": "e2", "label": "knows", "w": 2, "OUT": "n10", "IN": "n9"}
        ]
        rows = q("gremlin", "g.V('n9').values('tags')")
        rows[0].append("mutated")
        assert q("gremlin", "g.V('n9').values('tags')") == [["x"]]
        for bad in ("g.V().drop()", "g.V().out(x)", "g.V(", "V()", "g.V().out().V()", "1 + 1"):
            with pytest.raises(prism.InvalidArgumentError):
                q("gremlin", bad)
        with pytest.raises(prism.UnsupportedError):
            q("sql", "SELECT 1")


def test_sqlite_sql_reads_only_its_namespace(tmp_path: Path) -> None:
    config = _config("sqlite", tmp_path)
    with prism.open("a", config=config) as a, prism.open("b", config=config) as b:
        _seed(a.graph)
        b.graph.add_node("secret", "person", {"name": "Eve"})
        q = a.graph.query
        assert q("sql", "SELECT id FROM nodes ORDER BY id") == ["c", "n10", "n9"]
        rows = q("sql", "SELECT id, json_extract(properties, '$.w') AS w FROM edges ORDER BY id")
        assert rows == [{"id": "e1", "w": None}, {"id": "e2", "w": 2}, {"id": "e3", "w": None}]
        recursive = (
            "WITH RECURSIVE r(x) AS (SELECT :s UNION SELECT e.target FROM edges e JOIN r "
            "ON e.source = r.x) SELECT x FROM r ORDER BY x"
        )
        assert q("sql", recursive, {"s": "n9"}) == ["c", "n10", "n9"]
        assert q("sql", "SELECT count(*) FROM nodes WHERE label = 'person'") == [2]
        for bad in (
            "SELECT * FROM prism_graph_node",
            'SELECT * FROM "PRISM_GRAPH_NODE"',
            "SELECT name FROM sqlite_master",
            "DELETE FROM nodes",
            "SELECT * FROM nodes; DROP TABLE x",
            "SELECT :missing",
        ):
            with pytest.raises(prism.InvalidArgumentError):
                q("sql", bad)
        assert b.graph.query("sql", "SELECT id FROM nodes") == ["secret"]
        assert q("sql", "SELECT 'prism_ns is just text' AS t") == ["prism_ns is just text"]
        with pytest.raises(prism.InvalidArgumentError):
            q("sql", "SELECT :prism_ns", {"prism_ns": "b"})
