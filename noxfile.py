"""Developer sessions: `nox -s lint types generated tests docs matrix benchmarks`."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["generated", "lint", "types", "tests", "docs"]
BACKENDS = "memstore,sqlite,redis,redis-cluster"


def _install(session: nox.Session, *groups: str) -> None:
    session.run_install(
        "uv",
        "sync",
        "--all-extras",
        *(f"--group={group}" for group in groups),
        "--active",
        "--quiet",
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
    )


@nox.session
def generated(session: nox.Session) -> None:
    """The sync twins are current."""
    session.run("python", "tools/async_to_sync.py", "--check")


@nox.session
def lint(session: nox.Session) -> None:
    _install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def types(session: nox.Session) -> None:
    _install(session)
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    _install(session)
    session.run("pytest", f"--prism-backend={BACKENDS}", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into build/site; strict: a broken link or reference fails."""
    _install(session, "docs")
    session.run("mkdocs", "build", "--strict", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def matrix(session: nox.Session) -> None:
    """Regenerate docs/compliance-matrix.md from a compliance run."""
    _install(session)
    session.run(
        "pytest",
        f"--prism-backend={BACKENDS}",
        "--prism-matrix=build/matrix.json",
        "-q",
        "-p",
        "no:cacheprovider",
        success_codes=[0, 1],
    )
    session.run("python", "tools/compliance_matrix.py", "build/matrix.json")


@nox.session
def benchmarks(session: nox.Session) -> None:
    _install(session)
    for module in ("bench_import", "bench_memstore", "bench_sqlite", "bench_redis"):
        session.run("python", "-m", f"benchmarks.{module}")
