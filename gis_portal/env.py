"""Settings helpers: read the environment and fail loudly on bad values.

A typo in a boolean or an integer must stop the process at start-up, not silently
fall back to a default that changes behaviour in production.
"""
from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def load_env_file(path: Path, environ: MutableMapping[str, str] = os.environ) -> list[str]:
    """Read `KEY=VALUE` lines of a `.env` file into the environment, for variables not already set
    (the real environment wins). Blank lines and `#` comments are skipped, an `export ` prefix and one
    pair of surrounding quotes are dropped. A missing file is fine; a malformed line stops the process.
    Returns the names it set.

    `make` writes the checkout's `.env` (scripts/bootstrap.sh) so `manage.py`, gunicorn and a plain
    `pytest` read the same settings `make run` uses.
    """
    if not path.is_file():
        return []
    set_names = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected NAME=value, got {raw!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if name not in environ:
            environ[name] = value
            set_names.append(name)
    return set_names
