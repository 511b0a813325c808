"""The shape of the package: module sizes, no private names across packages, import contracts, style.

The layers themselves are import-linter contracts in ``.importlinter`` (run by ``lint-imports``);
the style is ruff's (``pyproject.toml``). Both are run here too, so that ``pytest`` alone tells a
contributor what CI will say; each skips when its tool is not installed (the ``test`` extra has them).
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "simulacra"

#: the guide says "no module over ~500 lines"; this is the hard line
MAX_LINES = 550

#: top-level private helper modules meant to be shared by every package (bottom of the layers)
SHARED_PRIVATE = {"_random", "_threads", "_version"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if ".venv" not in p.parts)


def _dotted(path: Path) -> list[str]:
    """``simulacra/a/b.py`` -> ['simulacra', 'a', 'b']; a package's ``__init__.py`` is the package."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _top(dotted: list[str]) -> str:
    """The top-level part of simulacra a module belongs to ('' for the root package itself)."""
    return dotted[1] if len(dotted) > 1 else ""


def _private_imports(path: Path) -> list[str]:
    """Imports in ``path`` that reach a private name or private module of another top-level package."""
    me = _dotted(path)
    package = me if path.name == "__init__.py" else me[:-1]  # what a relative import starts from
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = base + (node.module.split(".") if node.module else [])
            else:
                target = node.module.split(".") if node.module else []
            names = [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name.split(".")
                if target[0] == "simulacra" and _top(target) != _top(me):
                    bad = [c for c in target[2:] if _is_private(c)]
                    if bad:
                        found.append(f"{path.relative_to(REPO)}:{node.lineno}: import {alias.name}")
            continue
        else:
            continue
        if not target or target[0] != "simulacra" or _top(target) == _top(me):
            continue
        where = f"{path.relative_to(REPO)}:{node.lineno}: from {'.'.join(target)} import {', '.join(names)}"
        # a private module inside another package (simulacra.synthesizers._params); the top-level
        # shared helpers (simulacra._random, ...) are allowed, their private names are not
        private_modules = [c for c in target[2:] if _is_private(c)]
        if _top(target).startswith("_") and _top(target) not in SHARED_PRIVATE:
            private_modules.append(_top(target))
        if private_modules:
            found.append(where)
            continue
        # ``from simulacra.x import _y``: a private name (or private submodule) of another package
        if any(_is_private(n) for n in names):
            found.append(where)
    return found


def test_no_module_is_over_the_size_limit():
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}
    over = sorted((n, str(p.relative_to(REPO))) for p, n in sizes.items() if n > MAX_LINES)
    assert not over, f"modules over {MAX_LINES} lines (split them by responsibility): " + ", ".join(
        f"{p} ({n})" for n, p in reversed(over)
    )


def test_no_private_name_is_imported_across_packages():
    found = [hit for p in _modules() for hit in _private_imports(p)]
    assert not found, (
        "private names (leading underscore) imported from another package; make them public in their "
        "package (or move them to simulacra.utils):\n" + "\n".join(found)
    )


def test_the_private_import_check_sees_what_it_must(tmp_path, monkeypatch):
    """The checker itself: it flags cross-package private names and modules, and nothing else."""
    root = tmp_path / "simulacra"
    (root / "cli").mkdir(parents=True)
    (root / "synthesizers").mkdir()
    (root / "__init__.py").write_text("from ._version import __version__\n")
    (root / "synthesizers" / "__init__.py").write_text("")
    (root / "synthesizers" / "base.py").write_text("from ._params import check\nfrom .._random import as_seed\n")
    cli = root / "cli" / "app.py"
    cli.write_text(
        "from ..synthesizers.base import _progress\n"
        "from ..synthesizers._params import check\n"
        "from ..synthesizers import _encoding\n"
        "import simulacra.synthesizers._neural\n"
        "from simulacra.synthesizers.base import BaseSynthesizer\n"
        "from .._random import as_seed\n"
        "from .options import _opts\n"
        "def f():\n"
        "    from simulacra._random import _private\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    hits = _private_imports(cli)
    assert [h.split(":")[1] for h in hits] == ["1", "2", "3", "4", "9"], hits
    assert _private_imports(root / "synthesizers" / "base.py") == []
    assert _private_imports(root / "__init__.py") == []


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)


def _tool(name: str) -> str | None:
    """The console script ``name`` of this interpreter's environment (or on PATH)."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def test_import_contracts_hold():
    """``lint-imports`` (contracts in .importlinter): the layers, evaluation never imports models, no CLI below it."""
    if importlib.util.find_spec("importlinter") is None or _tool("lint-imports") is None:
        pytest.skip("import-linter is not installed (pip install '.[test]')")
    out = _run([_tool("lint-imports"), "--no-cache", "--no-logo"])
    assert out.returncode == 0, f"lint-imports found broken contracts:\n{out.stdout[-6000:]}{out.stderr[-2000:]}"


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["ruff-check", "ruff-format"])
def test_ruff_passes(args):
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (pip install '.[test]')")
    out = _run([sys.executable, "-m", "ruff", *args])
    assert out.returncode == 0, f"ruff {' '.join(args)} fails:\n{out.stdout[-6000:]}{out.stderr[-2000:]}"
