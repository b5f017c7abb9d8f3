"""The server-side rules a namespace needs: ``prism acl NAMESPACE``.

prism isolates namespaces by its key layout (a prefix, a schema, a subject or topic prefix).  A
server's own access control makes that isolation hold against bugs and against raw clients as
well: give each namespace its own server user, allowed exactly its part of the layout.  Because
the layout is exact, so are the rules; this module writes them for each backend a namespace
uses, and ``prism acl`` prints them for an administrator to apply.

Rules never contain a secret: where a password belongs they show the placeholder
``<password>``.  A backend type this module does not know may provide the rules itself with a
class method ``access_rules(settings, namespace, principal) -> AccessRules`` on its backend
class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from prism.errors import ConfigurationError

__all__ = ["AccessRules", "access_rules", "principal_for"]

PASSWORD = "<password>"


@dataclass(frozen=True)
class AccessRules:
    """What one backend's server must allow ``principal`` for one namespace."""

    namespace: str
    connection: str
    backend: str
    system: str
    principal: str
    rules: list[str]
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [f"# {self.connection} ({self.backend}): {self.system}, user {self.principal}"]
        lines += [f"#   {note}" for note in self.notes]
        lines += self.rules
        return "\n".join(lines)


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def principal_for(namespace: str, configured: str | None = None) -> str:
    """The server user of a namespace: the configured user name, else ``prism-<namespace>``
    with every character outside ``[A-Za-z0-9_.-]`` replaced by ``_``."""
    return configured or "prism-" + _UNSAFE.sub("_", namespace)


def _redis(
    namespace: str, options: dict[str, Any], principal: str
) -> tuple[str, list[str], list[str]]:
    from prism.backends.redis._keys import glob_escape, namespace_tag

    root = str(options.get("key_prefix", "prism"))
    pattern = (glob_escape(namespace_tag(root, namespace)) + b":*").decode()
    rule = (
        f"ACL SETUSER {principal} reset on >{PASSWORD} "
        f"resetkeys ~{pattern} resetchannels &{pattern} +@all -@dangerous -@admin"
    )
    notes = [
        (
            "keys and pub/sub channels of the namespace only; KEYS, FLUSHALL, CONFIG and "
            "other dangerous or admin commands denied"
        ),
        "SCAN is a keyless command: a raw client may list (never read) other key names",
        "on a cluster, run it on every node (or put it in the ACL file every node loads)",
    ]
    return "Redis ACL", [rule], notes


def _postgres(namespace: str, principal: str, database: str) -> tuple[str, list[str], list[str]]:
    from prism.backends.postgres._core import schema_name

    schema = schema_name(namespace)

    def ident(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    role, db, sch = ident(principal), ident(database), ident(schema)
    rules = [
        f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}';",
        f"GRANT CONNECT ON DATABASE {db} TO {role};",
        f"CREATE SCHEMA IF NOT EXISTS {sch} AUTHORIZATION {role};",
        f"ALTER SCHEMA {sch} OWNER TO {role};",
        f"REVOKE ALL ON SCHEMA {sch} FROM PUBLIC;",
    ]
    notes = [
        (
            f"the namespace's schema {schema} is created by the administrator and owned by "
            "the role, which can reach no other prism schema"
        ),
        (
            "revoke CREATE on the database from PUBLIC so no role can create another "
            "namespace's schema before it exists"
        ),
    ]
    return "PostgreSQL", rules, notes


def _nats(
    namespace: str, options: dict[str, Any], principal: str
) -> tuple[str, list[str], list[str]]:
    from prism.backends.nats._names import escape

    prefix = str(options.get("prefix", "prism"))
    ns = escape(namespace)
    account = principal.replace('"', "")
    rules = [
        "accounts {",
        f'  "{account}": {{',
        "    jetstream: enabled",
        f'    users: [{{user: "{account}", password: "{PASSWORD}", permissions: {{',
        (
            f'      publish: {{allow: ["{prefix}.{ns}.>", "$JS.API.>", "$JS.ACK.>", '
            f'"$KV.{prefix}-{ns}-kv.>", "_INBOX.>"]}},'
        ),
        f'      subscribe: {{allow: ["{prefix}.{ns}.>", "$KV.{prefix}-{ns}-kv.>", "_INBOX.>"]}}',
        "    }}]",
        "  }",
        "}",
    ]
    notes = [
        (
            "an account per namespace: its subjects, JetStream streams, consumers and key-value "
            "buckets exist only in that account, so no other account's client can reach them"
        ),
        "merge the block into the server's configuration (one accounts section) and reload",
    ]
    return "NATS account", rules, notes


def _kafka(namespace: str, conn: Any, principal: str) -> tuple[str, list[str], list[str]]:
    from prism.backends.kafka._config import parse_config
    from prism.backends.kafka._core import escape

    config = parse_config("kafka", conn.connection, dict(conn.options))
    topics = f"{config.topic_prefix}.{escape(namespace)}."
    groups = f"{config.group_prefix}.{topics}"
    base = f"kafka-acls.sh --bootstrap-server <bootstrap> --add --allow-principal User:{principal}"
    rules = [
        f"{base} --operation All --resource-pattern-type prefixed --topic {topics}",
        f"{base} --operation All --resource-pattern-type prefixed --group {groups}",
    ]
    notes = [
        (
            f"topics {topics}* and consumer groups {groups}*: create, write, read, describe, "
            "commit; nothing else"
        ),
        (
            "a name too long for Kafka's 249 characters is hashed (<prefix>.h<model>.<sha256>) and "
            "falls outside these prefixes: keep namespace and stream names short with server ACLs"
        ),
    ]
    return "Kafka ACLs", rules, notes


def _objects(namespace: str, conn: Any) -> tuple[str, list[str], list[str]]:
    import json

    from prism.backends._objects._config import parse_config
    from prism.backends._objects._layout import Layout, bucket_name

    config = parse_config(conn.type, conn.connection, dict(conn.options))
    base = Layout(config.prefix, namespace).base
    bucket = config.bucket
    if config.bucket_per_namespace:
        bucket = bucket_name(config.namespace_bucket_prefix or config.bucket, namespace)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": f"arn:aws:s3:::{bucket}/{base}*",
            },
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{bucket}",
                "Condition": {"StringLike": {"s3:prefix": f"{base}*"}},
            },
        ],
    }
    notes = [
        (
            f"objects under {base} in bucket {bucket} only; attach the policy to the "
            "namespace's IAM user or role (MinIO: mc admin policy create, then attach)"
        ),
    ]
    return "S3 policy", json.dumps(policy, indent=2).splitlines(), notes


def _neptune(namespace: str, options: dict[str, Any]) -> tuple[str, list[str], list[str]]:
    import json

    from prism.backends.gremlin._core import NS_KEY, server_id

    region = str(options.get("region") or "<region>")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "neptune-db:connect",
                    "neptune-db:ReadDataViaQuery",
                    "neptune-db:WriteDataViaQuery",
                    "neptune-db:DeleteDataViaQuery",
                ],
                "Resource": f"arn:aws:neptune-db:{region}:<account-id>:<cluster-resource-id>/*",
                "Condition": {"StringEquals": {"neptune-db:QueryLanguage": "Gremlin"}},
            }
        ],
    }
    notes = [
        (
            "Gremlin queries on the cluster, nothing else (no loader, no management actions); "
            "attach the policy to the namespace's IAM role"
        ),
        (
            "Neptune IAM cannot confine a principal to part of a graph: it authorizes a whole "
            f"cluster, so this role may read and write every namespace's elements; the "
            f"{NS_KEY} property and the id prefix {server_id(namespace, '')!r} are the only isolation "
            "inside the cluster"
        ),
        (
            "for isolation the server enforces, give the namespace a cluster per tenant (a "
            "connection entry of its own) and this policy on that cluster alone"
        ),
    ]
    return "Neptune IAM policy", json.dumps(policy, indent=2).splitlines(), notes


def _database_of(connection: str | None) -> str:
    from urllib.parse import urlsplit

    if not connection:
        return "postgres"
    try:
        path = urlsplit(connection).path.lstrip("/")
    except ValueError:
        return "postgres"
    return path or "postgres"


def access_rules(namespace: str, *, config: Any = None) -> list[AccessRules]:
    """The rules for every backend namespace ``namespace`` uses (its slots' too, for a pattern)."""
    from prism.registry.registry import get_registry
    from prism.registry.resolver import load_config, resolve

    registry = get_registry()
    loaded = load_config(config)
    plan = resolve(namespace, loaded, registry)
    entries: list[tuple[str, Any]] = []
    nested: list[AccessRules] = []
    if plan.pattern is not None and loaded is not None:
        ns = loaded.namespaces[namespace]
        for slot in ns.slots.values():
            if slot.backend is not None:
                entries.append((slot.backend, loaded.backends[slot.backend]))
            elif slot.namespace is not None:  # a slot served by another (pattern) namespace
                nested += access_rules(slot.namespace, config=loaded)
    else:
        entries = [(plan.connection_name, plan.connection)]
    credentials = plan.credentials
    configured = getattr(credentials, "username", None)
    principal = principal_for(namespace, configured)
    out: list[AccessRules] = []
    for name, conn in entries:
        options = dict(conn.options)
        if conn.type in ("redis", "redis-cluster"):
            system, rules, notes = _redis(namespace, options, principal)
        elif conn.type == "postgres":
            system, rules, notes = _postgres(namespace, principal, _database_of(conn.connection))
        elif conn.type == "kafka":
            system, rules, notes = _kafka(namespace, conn, principal)
        elif conn.type in ("s3", "minio"):
            system, rules, notes = _objects(namespace, conn)
        elif conn.type == "nats":
            system, rules, notes = _nats(namespace, options, principal)
        elif conn.type == "neptune":
            system, rules, notes = _neptune(namespace, options)
        elif conn.type == "gremlin":
            system = "Gremlin Server"
            rules = []
            notes = [
                (
                    "a Gremlin Server authenticates (SASL) but has no per-graph authorization "
                    "rules: the prism_ns property and prism's id prefix are the only isolation"
                ),
            ]
        elif conn.type in ("memstore", "sqlite"):
            system = "embedded"
            rules = []
            notes = ["an embedded store has no server users: the process's own files and memory"]
        else:
            entry = registry.backend(conn.type)
            cls = entry.load_class()
            hook = getattr(cls, "access_rules", None)
            if hook is None:
                msg = (
                    f"backend {conn.type!r} does not say which server rules a namespace needs "
                    "(its backend class has no access_rules)"
                )
                raise ConfigurationError(msg)
            rules_obj: AccessRules = hook(conn, namespace, principal)
            out.append(rules_obj)
            continue
        out.append(AccessRules(namespace, name, conn.type, system, principal, rules, notes))
    return out + nested
