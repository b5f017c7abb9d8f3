"""Importing prism imports no driver; the catalog is exactly the 45 interfaces."""

from __future__ import annotations

import inspect
import subprocess
import sys

import prism
from prism.interfaces import CATALOG, MODELS

DRIVERS = (
    "redis",
    "psycopg",
    "nats",
    "confluent_kafka",
    "boto3",
    "minio",
    "clickhouse_driver",
    "gremlin_python",
)

CATALOG_NAMES = {
    "keyvalue_basic",
    "keyvalue_scan",
    "keyvalue_ttl",
    "keyvalue_transactional",
    "keyvalue_batch",
    "keyvalue_cas",
    "pubsub_basic",
    "pubsub_wildcards",
    "pubsub_persistent",
    "pubsub_filtering",
    "pubsub_ordering",
    "stream_basic",
    "stream_consumer_groups",
    "stream_replay",
    "stream_retention",
    "stream_partitioning",
    "queue_basic",
    "queue_visibility",
    "queue_dead_letter",
    "queue_priority",
    "queue_delayed",
    "list_basic",
    "list_indexing",
    "list_range",
    "list_blocking",
    "set_basic",
    "set_operations",
    "set_cardinality",
    "set_random",
    "sortedset_basic",
    "sortedset_range",
    "sortedset_rank",
    "sortedset_operations",
    "sortedset_lex",
    "timeseries_basic",
    "timeseries_aggregation",
    "timeseries_retention",
    "timeseries_interpolation",
    "graph_basic",
    "graph_traversal",
    "graph_query",
    "graph_analytics",
    "document_basic",
    "document_query",
    "document_indexing",
}


def test_import_prism_loads_no_driver() -> None:
    code = (
        "import sys, prism\n"
        "with prism.open('x', config={}) as ns:\n"
        "    ns.keyvalue.set('k', b'v')\n"
        f"print([m for m in sys.modules if m.split('.')[0] in {DRIVERS!r}])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_catalog_has_exactly_the_45_interfaces() -> None:
    assert len(CATALOG) == 45
    assert set(CATALOG) == CATALOG_NAMES


def test_every_interface_names_its_model_and_flavours() -> None:
    for name, entry in CATALOG.items():
        assert entry.model in MODELS
        assert name.startswith(entry.model + "_")
        assert entry.sync.registry_name == entry.async_.registry_name == name
        assert entry.async_.__name__ == "Async" + entry.sync.__name__
        assert getattr(prism, entry.sync.__name__) is entry.sync
        assert getattr(prism, entry.async_.__name__) is entry.async_


def test_sync_and_async_classes_have_the_same_methods() -> None:
    for entry in CATALOG.values():
        sync = {n for n, _ in inspect.getmembers(entry.sync) if not n.startswith("_")}
        async_ = {n for n, _ in inspect.getmembers(entry.async_) if not n.startswith("_")}
        assert sync == async_, entry.name
        for method in entry.sync.__abstractmethods__:
            s = getattr(entry.sync, method)
            a = getattr(entry.async_, method)
            if isinstance(s, property):
                continue
            assert not inspect.iscoroutinefunction(s), (entry.name, method)
            assert list(inspect.signature(s).parameters) == list(inspect.signature(a).parameters), (
                entry.name,
                method,
            )


def test_each_model_has_a_basic_interface() -> None:
    for model in MODELS:
        assert f"{model}_basic" in CATALOG


def test_every_interface_method_is_abstract_and_documented() -> None:
    for entry in CATALOG.values():
        for cls in (entry.sync, entry.async_):
            assert cls.__doc__ and len(cls.__doc__) > 40, cls
            assert cls.__abstractmethods__, cls


def test_missing_driver_is_a_configuration_error_naming_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['redis'] = None  # as if the driver were not installed\n"
        "import prism\n"
        "cfg = {'backends': {'r': {'type': 'redis', 'connection': 'redis://127.0.0.1:1/0'}},\n"
        "       'default_backend': 'r'}\n"
        "try:\n"
        "    prism.open('x', config=cfg)\n"
        "except prism.ConfigurationError as exc:\n"
        "    print(type(exc.__cause__).__name__, '|', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("ModuleNotFoundError |"), out.stdout + out.stderr
    assert 'pip install "prism[redis]"' in out.stdout
