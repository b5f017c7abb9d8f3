"""keyvalue over objects, written once for every driver (blocking functions; the facets run
them through :class:`~prism.backends._objects._store.ObjectStore`).

Expiry: a key set with a TTL gets ``prism-expires`` (epoch seconds) in its object's metadata,
and a marker object ``t/<key>`` is written *before* it.  Every read compares the expiry with the
clock and treats an expired object as absent.  Listings return no metadata, so ``scan_keys`` and
``count`` list the markers alongside the values (same order, one extra listing per page) and
HEAD only the marked keys.  :func:`sweep` walks the markers: it deletes expired objects (only if
unchanged since it looked, where the driver can make a delete conditional) and the markers of
keys that no longer expire.

CAS (conditional drivers only): read the object and its ETag, compare the value, then write with
``If-Match: <etag>`` (``If-None-Match: *`` when the key must be absent).  The server applies
the condition atomically; a failed condition means another writer came in between, and the CAS
reads again, so a racing writer that wrote the same value does not make it fail.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterator
from typing import Any

from prism.backends._objects._layout import EXPIRES, Layout, expiry_of
from prism.backends._objects._lifecycle import expiry_tags
from prism.backends._objects._store import Blob, Head, ObjectStore, fan_out
from prism.errors import KeyNotFoundError

__all__ = [
    "PAGE",
    "compare_and_delete",
    "compare_and_swap",
    "count_page",
    "delete",
    "delete_many",
    "exists",
    "expire",
    "get",
    "get_many",
    "get_ttl",
    "persist",
    "scan_page",
    "set_many",
    "set_value",
    "sweep",
]

PAGE = 1000
"""Names per listing request (the S3 maximum)."""
DELETE_CHUNK = 1000
"""Names per DeleteObjects request (the S3 maximum)."""
SWEEP_MARKS = 1000
"""Markers one sweep looks at."""
DENSE_MIN = 100
"""From this many keys on, batches learn which exist from a listing of the range they span."""
LIST_SAVING = 0.25
"""get_many keeps listing its keys' range while a page's absent requested keys (each a GET
saved) are at least this share of the objects the page listed.  Measured on moto_server: a
page of 1,000 objects takes 0.9-1.2 s, a GET 4-9 ms, so a listed object costs about a quarter
of a GET."""

Cursor = tuple[str | None, str | None, str | None]
"""(continuation token of the value listing, last value name listed, first marker suffix known
to lie beyond it — :data:`NO_MARKS` when no marker does; None: unknown, list the markers)."""

NO_MARKS = "\x7f"
"""A suffix above every name suffix (they are ASCII below ``\x7f``): "no marker beyond"."""


def _live(meta: dict[str, str], now: float) -> bool:
    expires = expiry_of(meta)
    return expires is None or expires > now


def _missing(key: str, operation: str, store: ObjectStore) -> KeyNotFoundError:
    return KeyNotFoundError(f"key {key!r} not found", backend=store.backend, operation=operation)


def _meta(layout: Layout, key: str, expires: float | None = None) -> dict[str, str]:
    meta = layout.hashed_meta(key) if layout.is_hashed(key) else {}
    if expires is not None:
        meta[EXPIRES] = repr(expires)  # repr round-trips: the exact instant, never later
    return meta


def _tags(store: ObjectStore, ttl: float | None) -> dict[str, str]:
    """The object tags of a write that leaves the key expiring in ``ttl`` (None: never):
    the expiry-class tag under ``install_lifecycle`` (see ``_lifecycle``), else none."""
    return expiry_tags(ttl) if store.config.install_lifecycle else {}


def _head_live(store: ObjectStore, layout: Layout, key: str) -> Head | None:
    head = store.driver.head(layout.name(key))
    return head if head is not None and _live(head.meta, store.clock()) else None


# keyvalue_basic / keyvalue_ttl -------------------------------------------------------------------


def set_value(
    store: ObjectStore, layout: Layout, key: str, value: bytes, ttl: float | None
) -> None:
    driver = store.driver
    if ttl is None:
        driver.put(layout.name(key), value, _meta(layout, key))
        return
    driver.put(layout.mark(key), b"", {})
    expires = store.clock() + ttl
    driver.put(layout.name(key), value, _meta(layout, key, expires), tags=_tags(store, ttl) or None)


def get(store: ObjectStore, layout: Layout, key: str) -> bytes:
    blob = store.driver.get(layout.name(key))
    if blob is None or not _live(blob.meta, store.clock()):
        raise _missing(key, "get", store)
    return blob.data


def exists(store: ObjectStore, layout: Layout, key: str) -> bool:
    return _head_live(store, layout, key) is not None


def delete(store: ObjectStore, layout: Layout, key: str) -> bool:
    # Conditional drivers delete exactly the version they looked at (If-Match), so of two
    # racing deletes only one reports that the key existed.
    name, driver = layout.name(key), store.driver
    while True:
        head = driver.head(name)
        if head is None:
            return False
        if driver.delete(name, if_match=head.etag if driver.conditional else None):
            return _live(head.meta, store.clock())


def expire(store: ObjectStore, layout: Layout, key: str, ttl: float) -> bool:
    while True:
        head = _head_live(store, layout, key)
        if head is None:
            return False
        store.driver.put(layout.mark(key), b"", {})
        meta = {**head.meta, EXPIRES: repr(store.clock() + ttl)}
        if store.driver.replace_meta(layout.name(key), meta, head.etag, _tags(store, ttl)):
            return True


def get_ttl(store: ObjectStore, layout: Layout, key: str) -> float | None:
    head = store.driver.head(layout.name(key))
    now = store.clock()
    if head is None or not _live(head.meta, now):
        raise _missing(key, "get_ttl", store)
    expires = expiry_of(head.meta)
    return None if expires is None else max(0.0, expires - now)


def persist(store: ObjectStore, layout: Layout, key: str) -> bool:
    while True:
        head = _head_live(store, layout, key)
        if head is None or EXPIRES not in head.meta:
            return False
        meta = {k: v for k, v in head.meta.items() if k != EXPIRES}
        if store.driver.replace_meta(layout.name(key), meta, head.etag, _tags(store, None)):
            return True


# keyvalue_scan -----------------------------------------------------------------------------------


def _list(
    store: ObjectStore, layout: Layout, prefix: str, cursor: Cursor | None, size: int
) -> tuple[list[str], Cursor | None]:
    """One page of value-name suffixes under ``prefix``, and the cursor of the next page."""
    token = None if cursor is None else cursor[0]
    names, token = store.driver.list_page(
        layout.data + layout.list_prefix(prefix), start_after=None, token=token, max_keys=size
    )
    start = len(layout.data)
    suffixes = [name[start:] for name in names]
    return suffixes, (None if token is None else (token, names[-1] if names else None, None))


def _marked(
    store: ObjectStore,
    layout: Layout,
    prefix: str,
    cursor: Cursor | None,
    suffixes: list[str],
) -> tuple[set[str], str]:
    """Which of ``suffixes`` (one listing page, in order) have a marker, and the first marker
    suffix beyond the page (:data:`NO_MARKS`: none).  The markers are listed from just after
    the previous page up to the first one beyond this page — unless the previous page already
    saw that first one lie beyond this page too: then nothing is listed (a namespace without
    expiring keys costs one marker listing per scan, not one per page)."""
    beyond = None if cursor is None else cursor[2]
    if not suffixes or (beyond is not None and beyond > suffixes[-1]):
        return set(), NO_MARKS if beyond is None else beyond
    wanted = set(suffixes)
    last = suffixes[-1]
    found: set[str] = set()
    after = None if cursor is None else cursor[1]
    start_after = None if after is None else layout.marks + after[len(layout.data) :]
    token: str | None = None
    cut = len(layout.marks)
    while True:
        names, token = store.driver.list_page(
            layout.marks + layout.list_prefix(prefix),
            start_after=start_after if token is None else None,
            token=token,
            max_keys=PAGE,
        )
        for name in names:
            suffix = name[cut:]
            if suffix > last:
                return found, suffix
            if suffix in wanted:
                found.add(suffix)
        if token is None or not names:
            return found, NO_MARKS


def _keys_of(store: ObjectStore, layout: Layout, suffixes: list[str], check: set[str]) -> list[str]:
    """The live keys of ``suffixes``: those in ``check`` (marked, or hashed) are HEADed."""
    now = store.clock()

    def look(suffix: str) -> str | None:
        head = store.driver.head(layout.data + suffix)
        if head is None or not _live(head.meta, now):
            return None
        return layout.key_of(suffix) or layout.key_from_meta(head.meta)

    looked = dict(
        zip(sorted(check), fan_out(look, sorted(check), store.config.max_workers), strict=True)
    )
    keys: list[str] = []
    for suffix in suffixes:
        key = looked[suffix] if suffix in looked else layout.key_of(suffix)
        if key is not None:
            keys.append(key)
    return keys


def scan_page(
    store: ObjectStore,
    layout: Layout,
    prefix: str,
    cursor: Cursor | None,
    size: int,
    values: bool,
) -> tuple[list[Any], Cursor | None]:
    """One page of ``(key, value)`` pairs (``values``) or keys starting with ``prefix``, and the
    cursor of the next page (None: done).  A page may hold fewer than ``size`` items (expired
    keys are left out) without being the last."""
    suffixes, following = _list(store, layout, prefix, cursor, size)
    if values:
        now = store.clock()

        def fetch(suffix: str) -> tuple[str, bytes] | None:
            blob: Blob | None = store.driver.get(layout.data + suffix)
            if blob is None or not _live(blob.meta, now):
                return None
            key = layout.key_of(suffix) or layout.key_from_meta(blob.meta)
            return None if key is None else (key, blob.data)

        fetched = fan_out(fetch, suffixes, store.config.max_workers)
        pairs = [item for item in fetched if item is not None and item[0].startswith(prefix)]
        return pairs, following
    check, beyond = _marked(store, layout, prefix, cursor, suffixes)
    check.update(s for s in suffixes if layout.key_of(s) is None)
    keys = [k for k in _keys_of(store, layout, suffixes, check) if k.startswith(prefix)]
    return keys, (None if following is None else (*following[:2], beyond))


def count_page(
    store: ObjectStore, layout: Layout, prefix: str, cursor: Cursor | None
) -> tuple[int, Cursor | None]:
    keys, following = scan_page(store, layout, prefix, cursor, PAGE, False)
    return len(keys), following


# keyvalue_batch ----------------------------------------------------------------------------------


def set_many(store: ObjectStore, layout: Layout, items: dict[str, bytes]) -> None:
    def put(item: tuple[str, bytes]) -> None:
        store.driver.put(layout.name(item[0]), item[1], _meta(layout, item[0]))

    fan_out(put, items.items(), store.config.max_workers)


def _pages(store: ObjectStore, names: list[str]) -> Iterator[tuple[int, dict[str, str], int]]:
    """List the range ``names`` (sorted, distinct, not empty) spans, page by page; per page:
    how many of ``names`` are decided so far (a leading part of them: present exactly when
    found), ``{name: etag}`` of those the page found, and how many objects it listed.  Stops
    early, the rest undecided, once the range held more than ``2 * len(names) + PAGE`` objects
    (a sparse range: HEADs or GETs of the rest are cheaper)."""
    wanted = set(names)
    common = os.path.commonprefix(names)  # noqa: RUF071 (characters, not path parts)
    budget = 2 * len(names) + PAGE
    seen = decided = 0
    token: str | None = None
    while True:
        page, token = store.driver.list_etags(
            common,
            start_after=names[0][:-1] if token is None else None,
            token=token,
            max_keys=PAGE,
        )
        seen += len(page)
        done = token is None or not page or page[-1][0] >= names[-1]
        decided = len(names) if done else bisect.bisect_right(names, page[-1][0], lo=decided)
        yield decided, {name: etag for name, etag in page if name in wanted}, len(page)
        if done or seen > budget:
            return


def _marked_among(store: ObjectStore, layout: Layout, names: list[str]) -> set[str] | None:
    """Those of the value ``names`` (sorted) that have a TTL marker, from a listing of the
    markers' range (one request when the namespace has no expiring keys there); None when that
    range is too crowded to tell (then treat them all as marked)."""
    cut = len(layout.data)
    marks = [layout.marks + name[cut:] for name in names]
    found: set[str] = set()
    decided = 0
    for done, page, _ in _pages(store, marks):
        found.update(page)
        decided = done
    if decided < len(marks):
        return None
    cut = len(layout.marks)
    return {layout.data + mark[cut:] for mark in found}


def _present(store: ObjectStore, layout: Layout, names: list[str]) -> dict[str, Head]:
    """``{name: head}`` of those of ``names`` (sorted, distinct) whose objects exist (expired
    ones included).  From :data:`DENSE_MIN` names on, a listing of their range (names and
    ETags, 1 request per 1,000 objects) tells which exist, and only TTL-marked ones are HEADed
    (their expiry is in the metadata); a HEAD per name otherwise, and for what a too sparse
    range left undecided.  The markers are listed after the values: a marker is written before
    its value, so a value listed with an expiry always shows its marker."""
    workers = store.config.max_workers
    listed: dict[str, str] = {}
    decided = 0
    if len(names) >= DENSE_MIN:
        for done, page, _ in _pages(store, names):
            listed.update(page)
            decided = done
    rest = names[decided:]
    present = {n: h for n, h in zip(rest, fan_out(store.driver.head, rest, workers), strict=True)
               if h is not None}  # fmt: skip
    if not listed:
        return present
    found = sorted(listed)
    marked = _marked_among(store, layout, found) if len(found) > 1 else None
    look = found if marked is None else [name for name in found if name in marked]
    heads = dict(zip(look, fan_out(store.driver.head, look, workers), strict=True))
    for name in found:
        if name not in heads:
            present[name] = Head(listed[name], {}, 0)
        elif (head := heads[name]) is not None:
            present[name] = head
    return present


def get_many(store: ObjectStore, layout: Layout, keys: list[str]) -> dict[str, bytes]:
    """A GET per key (bounded parallel; the expiry comes with the body).  From
    :data:`DENSE_MIN` keys on, a listing of their range first leaves out the absent ones, page
    by page while it pays: it stops as soon as a page found fewer than :data:`LIST_SAVING` of
    the objects it listed to be requested keys that are absent (then GETs are cheaper)."""
    now = store.clock()
    wanted = keys
    if len(keys) >= DENSE_MIN:
        by_name = {layout.name(k): k for k in keys}
        names = sorted(by_name)
        present: list[str] = []
        before = 0
        for decided, page, count in _pages(store, names):
            present.extend(by_name[name] for name in names[before:decided] if name in page)
            absent = decided - before - len(page)
            before = decided
            if absent < LIST_SAVING * count:
                break
        wanted = present + [by_name[name] for name in names[before:]]

    def fetch(key: str) -> Blob | None:
        blob = store.driver.get(layout.name(key))
        return blob if blob is not None and _live(blob.meta, now) else None

    blobs = fan_out(fetch, wanted, store.config.max_workers)
    return {key: blob.data for key, blob in zip(wanted, blobs, strict=True) if blob is not None}


def delete_many(store: ObjectStore, layout: Layout, keys: list[str]) -> int:
    """Learn which keys exist and their ETags (:func:`_present`: from 100 keys on a listing of
    their range, 1 request per 1,000 objects, plus HEADs of TTL-marked ones only; else a HEAD
    per key), then DeleteObjects in chunks of 1,000 (bounded parallel), each entry conditional
    on the ETag seen (on conditional drivers): an entry refused because the object changed
    meanwhile is looked at again, so every key ends deleted and a key is counted by only one of
    several racing deleters."""
    driver, workers = store.driver, store.config.max_workers
    counted = 0
    while keys:
        found = _present(store, layout, sorted({layout.name(k) for k in keys}))
        now = store.clock()
        present = sorted(found.items())
        chunks = [present[i : i + DELETE_CHUNK] for i in range(0, len(present), DELETE_CHUNK)]
        refused: set[str] = set().union(
            *fan_out(
                lambda c: driver.delete_batch([n for n, _ in c], [h.etag for _, h in c]),
                chunks,
                workers,
            )
        )
        counted += sum(1 for n, h in present if n not in refused and _live(h.meta, now))
        keys = [k for k in keys if layout.name(k) in refused]
    return counted


# keyvalue_cas (conditional drivers) --------------------------------------------------------------


def compare_and_swap(
    store: ObjectStore, layout: Layout, key: str, expected: bytes | None, new: bytes
) -> bool:
    name, driver = layout.name(key), store.driver
    while True:
        blob = driver.get(name)
        live = blob is not None and _live(blob.meta, store.clock())
        if expected is None:
            if live:
                return False
            if blob is None:
                done = driver.put(name, new, _meta(layout, key), if_none_match=True)
            else:  # an expired object: replace exactly that one
                done = driver.put(name, new, _meta(layout, key), if_match=blob.etag)
        else:
            if blob is None or not live or blob.data != expected:
                return False
            done = driver.put(name, new, _meta(layout, key), if_match=blob.etag)
        if done:
            return True


def compare_and_delete(store: ObjectStore, layout: Layout, key: str, expected: bytes) -> bool:
    name, driver = layout.name(key), store.driver
    while True:
        blob = driver.get(name)
        if blob is None or not _live(blob.meta, store.clock()) or blob.data != expected:
            return False
        if driver.delete(name, if_match=blob.etag):
            return True


# expiry sweep ------------------------------------------------------------------------------------


def sweep(store: ObjectStore, layout: Layout) -> int:
    """Reclaim expired keys of the namespace (up to :data:`SWEEP_MARKS` markers per call);
    return how many objects were deleted."""
    driver = store.driver
    names, _ = driver.list_page(layout.marks, start_after=None, token=None, max_keys=SWEEP_MARKS)
    now = store.clock()

    def visit(mark: str) -> int:
        name = layout.data + mark[len(layout.marks) :]
        head = driver.head(name)
        if head is not None and EXPIRES in head.meta and _live(head.meta, now):
            return 0  # still to expire: keep the marker
        if head is not None and EXPIRES in head.meta:
            gone = driver.delete(name, if_match=head.etag if driver.conditional else None)
            if not gone:
                return 0  # rewritten meanwhile: look again next time
            driver.delete(mark)
            return 1
        driver.delete(mark)
        return 0

    return sum(fan_out(visit, names, store.config.max_workers))
