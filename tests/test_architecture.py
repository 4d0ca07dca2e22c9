"""docs/architecture.md is the map a newcomer reads to find where a rule lives: every module, file and
name it gives must exist, so that the page cannot drift from the code unnoticed."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "shouhu"
PAGE = ROOT / "docs" / "architecture.md"

APPS = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
MODULES = {p.stem for p in SRC.rglob("*.py") if "migrations" not in p.parts}
FILE = re.compile(r"(?<![\w/.-])([\w][\w/]*\.(?:py|js|html|css))\b")


def _tree() -> list[tuple[str, str]]:
    """(package, file) for each file named in the package tree: a name inside a package's paragraph
    is that package's (``regions/  … codes.py`` is ``src/shouhu/regions/codes.py``)."""
    block = PAGE.read_text(encoding="utf-8").split("```")[1]
    named, package = [], ""
    for line in block.splitlines():
        start = re.match(r"^  ([\w.]+/?)\s", line) or re.match(r"^(tests/)\s", line)
        if start:
            package = start.group(1)
        named += [(package, name) for name in FILE.findall(line)]
    return named


def _found(package: str, name: str) -> bool:
    if (ROOT / name).exists():
        return True
    if package == "tests/":
        bases = [ROOT / "tests"]
    elif package.endswith("/"):
        bases = [SRC / package, SRC]
    else:
        bases = [SRC]
    return any((base / name).exists() or any(base.rglob(name)) for base in bases)


@pytest.mark.parametrize(("package", "name"), _tree())
def test_every_file_the_package_tree_names_exists(package, name):
    assert _found(package, name), f"docs/architecture.md names {name} under {package or 'src/shouhu'}"


def _spans() -> list[str]:
    text = PAGE.read_text(encoding="utf-8").split("```")[2]  # after the tree: flow, rules, choices
    return re.findall(r"`([^`\n]+)`", text)


def _path_of(token: str) -> tuple[Path, str] | None:
    """``visits/models.VisitPolicy`` → (src/shouhu/visits/models.py, "VisitPolicy");
    ``tests/bench/scoping.py`` → (that file, "")."""
    token = token.split("(")[0].split()[0].rstrip(":,")
    if "/" not in token or token.startswith("."):  # a cache folder (.mypy_cache/) is made by running
        return None
    for suffix in (".py", ".js", ".html", ".css", ".md"):
        if suffix in token:
            path, _, attr = token.partition(suffix)
            return Path(path + suffix), attr.strip(".")
    path, _, attr = token.partition(".")
    return Path(path + ".py") if not path.endswith("/") else Path(path), attr


def _exists(path: Path) -> Path | None:
    for base in (SRC, ROOT):
        if (base / path).exists():
            return base / path
    # a migration named by its number: audit/migrations/0002
    if path.parent.name == "migrations" and (SRC / path.parent).is_dir():
        found = sorted((SRC / path.parent).glob(path.stem + "_*.py"))
        return found[0] if found else None
    return None


def _module_name(file: Path) -> str:
    return ".".join(("shouhu", *file.relative_to(SRC).with_suffix("").parts))


def _has(module: str, attr: str) -> bool:
    obj = importlib.import_module(module)
    for part in attr.split("."):
        if not part:
            continue
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


@pytest.mark.parametrize("token", sorted({t for t in _spans() if _path_of(t)}))
def test_every_path_the_page_gives_exists(token):
    path, attr = _path_of(token)
    file = _exists(path)
    assert file, f"docs/architecture.md names `{token}`: {path} does not exist"
    if attr and file.suffix == ".py" and SRC in file.parents:
        assert _has(_module_name(file), attr), f"docs/architecture.md names `{token}`: no {attr} there"


def _dotted() -> list[str]:
    """Names written as ``module.name``, where the module is one of the package's (an app such as
    ``children.selectors`` or a module such as ``access.reading_once``)."""
    names = []
    for token in _spans():
        token = token.split("(")[0].split()[0] if token.strip() else ""
        if "/" in token or token.endswith((".py", ".js")):
            continue
        if not re.fullmatch(r"[a-z_]+(\.[A-Za-z_]+)+", token):
            continue
        first = token.split(".")[0]
        if first in APPS or first in MODULES:
            names.append(token)
    return sorted(set(names))


def _resolves(token: str) -> bool:
    parts = token.split(".")
    if parts[0] in APPS:
        for cut in range(len(parts), 0, -1):
            module = ".".join(("shouhu", *parts[:cut]))
            try:
                importlib.import_module(module)
            except ModuleNotFoundError:
                continue
            return _has(module, ".".join(parts[cut:]))
        return False
    # a module named by itself: any module of that name holding the rest
    candidates = [p for p in SRC.rglob(parts[0] + ".py") if "migrations" not in p.parts]
    return any(_has(_module_name(p), ".".join(parts[1:])) for p in candidates)


@pytest.mark.parametrize("token", _dotted())
def test_every_name_the_page_gives_exists(token):
    assert _resolves(token), f"docs/architecture.md names `{token}`, which the code does not have"
