"""Loading YAML into the registry models, with errors that name the file and the field."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from prism.errors import ConfigurationError

__all__ = [
    "builtin_registry_dir",
    "expand_env",
    "find_config_path",
    "load_model",
    "load_yaml",
    "parse_model",
]

M = TypeVar("M", bound=BaseModel)
_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


def builtin_registry_dir() -> Path:
    """Where the built-in declarations live: inside the wheel, or the repository's ``registry/``."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_registry"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "registry"


def expand_env(value: Any, where: str, env: Mapping[str, str] | None = None) -> Any:
    """Expand ``${VAR}`` and ``${VAR:-default}`` in every string of a loaded YAML tree."""
    env = os.environ if env is None else env
    if isinstance(value, str):

        def sub(match: re.Match[str]) -> str:
            name, default = match["name"], match["default"]
            if name in env and (env[name] or default is None):
                return env[name]
            if default is not None:
                return default
            msg = (
                f"{where}: environment variable {name} is not set "
                f"(set it, or write ${{{name}:-default}})"
            )
            raise ConfigurationError(msg)

        return _VAR.sub(sub, value)
    if isinstance(value, dict):
        return {k: expand_env(v, f"{where}.{k}", env) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v, f"{where}[{i}]", env) for i, v in enumerate(value)]
    return value


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse_model(model: type[M], data: Any, source: str, *, prefix: tuple[int | str, ...] = ()) -> M:
    """Validate ``data`` as ``model``; every problem is reported with its field path (after
    ``prefix``, the path of ``data`` inside its file)."""
    if data is None:
        data = {}
    problems = []
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False, include_input=False):
            loc = prefix + tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            text = err["msg"].removeprefix("Value error, ")
            problems.append(f"{source}: {_format_loc(loc)}: {text}")
    # raised outside the handler: the ValidationError quotes the input (a connection string
    # with its password, say) and must not survive as __context__
    raise ConfigurationError("\n".join(problems))


def load_model(model: type[M], path: Path, *, expand: bool = False) -> M:
    """Read ``path`` as YAML and validate it as ``model``."""
    data = load_yaml(path)
    if expand:
        data = expand_env(data, str(path))
    return parse_model(model, data, str(path))


def load_yaml(path: Path) -> dict[str, Any] | None:
    """Read ``path`` as a YAML mapping (None when empty); errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"{path}: cannot read: {exc.strerror or exc}"
        raise ConfigurationError(msg) from exc
    msg = ""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or "syntax error"
        msg = f"{where}: not valid YAML: {problem}"
    if msg:  # raised outside the handler: the YAML error quotes the line, secrets included
        raise ConfigurationError(msg)
    if data is not None and not isinstance(data, dict):
        msg = f"{path}: (top level): expected a mapping, got {type(data).__name__}"
        raise ConfigurationError(msg)
    return data


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The config file to use: ``explicit``, then ``$PRISM_CONFIG``, then ``./prism.yaml``."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            msg = f"{path}: config file not found"
            raise ConfigurationError(msg)
        return path
    env = os.environ.get("PRISM_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            msg = f"{path}: config file named by PRISM_CONFIG not found"
            raise ConfigurationError(msg)
        return path
    local = Path("prism.yaml")
    return local if local.is_file() else None
