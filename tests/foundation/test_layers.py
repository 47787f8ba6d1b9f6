"""The layer order of docs/architecture.md ("Layers"), checked on every import of every module.

A module may import its own app and any app of a LOWER layer; an import of a peer (same layer, other
app) or of a higher layer fails. Imports inside functions count the same as module-level ones. No
module may use `importlib` / `__import__` or catch ImportError: cross-app calls are plain imports.

Moving a module between layers (for instance rendering out of permits) is one line of
`LAYERS`: modules are placed by their longest matching prefix.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Bottom to top. A module belongs to the entry of its longest matching prefix.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("shared", ("gis_portal",)),  # infrastructure: api/, db, env, tasks, ratelimit, security, health, outbound, storage, signing
    ("territory", ("parcels", "institutions")),
    ("calendar", ("workdays",)),
    ("layers", ("layers", "addresses")),
    ("accounts", ("accounts",)),
    ("engines", ("rules", "notifications")),
    ("permits", ("permits",)),
    ("avize", ("avize",)),
    ("archive", ("archive",)),
    ("data", ("demo", "ops", "indicators")),
    ("web", ("web",)),
    ("project", ("gis_portal.settings", "gis_portal.urls", "gis_portal.wsgi", "gis_portal.asgi")),
)
PACKAGES = sorted({prefix.split(".")[0] for _, prefixes in LAYERS for prefix in prefixes})
RANK = {prefix: rank for rank, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes}


def placed(module: str) -> tuple[str, int] | None:
    """(the owning prefix, its layer rank) of a project module, None for third-party ones."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in RANK:
            return prefix, RANK[prefix]
    return None


def modules() -> list[tuple[str, Path]]:
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            out.append((name, path))
    return out


def imported(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{module}:{node.lineno}: write absolute imports"
            target = node.module or ""
            found.append((node.lineno, target))
            # `from permits import workflow` imports the submodule permits.workflow
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return found


def violations(name: str, source: str) -> list[str]:
    own = placed(name)
    assert own is not None, name
    tree = ast.parse(source)
    problems = []
    for line, target in imported(tree, name):
        if target.split(".")[0] in ("importlib",):
            problems.append(f"{name}:{line} imports importlib: use a plain import")
        where = placed(target)
        if where is None or where[0] == own[0]:
            continue
        if where[1] >= own[1]:
            problems.append(f"{name}:{line} imports {target} ({LAYERS[where[1]][0]}) from layer {LAYERS[own[1]][0]}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
            problems.append(f"{name}:{node.lineno} calls __import__")
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(isinstance(c, ast.Name) and c.id in ("ImportError", "ModuleNotFoundError") for c in caught):
                problems.append(f"{name}:{node.lineno} swallows an ImportError")
    return problems


def test_every_import_follows_the_layer_order():
    found = modules()
    assert len(found) > 150 and {n for n, _ in found} >= {"permits.workflow", "avize.stage", "web.views"}
    problems = [p for name, path in found for p in violations(name, path.read_text())]
    assert not problems, "\n".join(problems)


def test_the_check_catches_what_it_forbids():
    """Each kind of violation is reported (so a green run means something)."""
    assert violations("permits.workflow", "def f():\n    from avize.selectors import avize_status_for\n")
    assert violations("parcels.models", "import rules.engine\n")  # upwards
    assert violations("rules.engine", "from notifications.services import notify\n")  # a peer
    assert violations("layers.tiles", "from web import mapstyle\n")
    assert violations("layers.tiles", "from permits import workflow\n")
    assert violations("permits.analysis", "import importlib\nimportlib.import_module('rules.services')\n")
    assert violations("permits.analysis", "from importlib import import_module\n")
    assert violations("rules.engine", "x = __import__('layers.rasters')\n")
    assert violations("rules.engine", "try:\n    import yaml\nexcept (ValueError, ImportError):\n    pass\n")
    assert violations("rules.engine", "try:\n    import yaml\nexcept ModuleNotFoundError:\n    pass\n")
    # allowed: downwards, own app, third party, and the project's top modules importing anything
    assert not violations("avize.stage", "from permits.workflow import transition\nfrom avize import notify\n")
    assert not violations("web.views", "from avize.models import AvizRequest\nimport django\n")
    assert not violations("gis_portal.urls", "from web import urls\n")
    assert not violations("gis_portal.api.views", "from gis_portal.api import exceptions\n")
