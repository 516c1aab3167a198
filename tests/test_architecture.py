"""The layout's rules, checked on the code itself (docs/architecture.md draws the layers).

- No import cycle among supportkit's modules, lazy (function-level) imports included.
- No private name (``_x``) of one supportkit module imported or reached into by another.
- What a command loads, in the manner of click's import whitelist: ``import supportkit.cli`` and
  a cold ``detect`` or ``reply`` load only the modules they need, in every UI language.

``lint-imports`` (run by .ci/run) checks the layer contracts in pyproject.toml.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "supportkit"
UI_LANGUAGES = ("en", "zh", "es", "ru", "fr")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_cycle_among_modules() -> None:
    import grimp

    graph = grimp.build_graph("supportkit")
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    # Tarjan's strongly connected components: any component of two or more modules is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(edges.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    assert cycles == []


def _private_reaches(text: str, own: str, label: str) -> list[str]:
    """``from supportkit.x import _y`` and ``x._y`` (x an imported supportkit module) in ``text``,
    the source of module ``own``."""
    tree = ast.parse(text)
    found: list[str] = []
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "supportkit":
            for alias in node.names:
                if alias.name.startswith("_") and alias.name not in ("_", "__version__") and node.module != own:
                    found.append(f"{label}:{node.lineno}: from {node.module} import {alias.name}")
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "supportkit":
                    modules[alias.asname or "supportkit"] = alias.name if alias.asname else "supportkit"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules and modules[base.id] != own:
                found.append(f"{label}:{node.lineno}: {ast.unparse(node)}")
    return sorted(found, key=lambda reach: int(reach.split(":")[1]))


def test_no_private_name_crosses_modules() -> None:
    found = [reach for path in sorted(PACKAGE.rglob("*.py"))
             for reach in _private_reaches(path.read_text(encoding="utf-8"), _module_name(path),
                                           str(path.relative_to(PACKAGE.parent)))]
    assert found == []


def test_the_private_name_check_finds_each_kind_of_reach() -> None:
    text = ("from supportkit.rendering import _tidy, environment\n"
            "from supportkit import cache\n"
            "import supportkit.guard.phrases as phrases\n"
            "cache._verdicts.clear()\n"
            "phrases._tokenize('x', [])\n"
            "environment()._private\n"
            "from supportkit.i18n import _\n")
    assert _private_reaches(text, "supportkit.sample", "sample.py") == [
        "sample.py:1: from supportkit.rendering import _tidy",
        "sample.py:4: cache._verdicts",
        "sample.py:5: phrases._tokenize",
    ]
    assert _private_reaches(text, "supportkit.rendering", "sample.py")[:1] == ["sample.py:4: cache._verdicts"]


# --- what a command loads -----------------------------------------------------------------------

_PROBE = """
import contextlib, io, json, sys
argv = sys.argv[1:]
from supportkit.cli import cli
if argv:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            cli.main(argv, prog_name="supportkit", standalone_mode=False)
        except SystemExit:
            pass
print(json.dumps(sorted(sys.modules)))
"""

CLI = {"supportkit.cli", *(f"supportkit.cli.{name}" for name in ("agent", "batch", "common", "faq", "models", "writers"))}
"""The command modules: light, since each imports what a command needs inside the command."""
FOUNDATION = CLI | {"supportkit", "supportkit.config", "supportkit.errors", "supportkit.i18n",
              "supportkit.languages", "supportkit.safety", "supportkit.text", "supportkit.text.chinese",
              "supportkit.cache", "supportkit.files", "supportkit.i18n.catalogs"}
DETECTION = {"supportkit.detection", "supportkit.detection.core", "supportkit.detection.helpdesk",
             "supportkit.detection.model", "supportkit.detection.romanized", "supportkit.detection.scripts"}
REPLY = DETECTION | {
    "supportkit.guard", "supportkit.guard.hanzi", "supportkit.guard.keys", "supportkit.guard.notices",
    "supportkit.guard.phrases", "supportkit.guard.scam", "supportkit.guard.view", "supportkit.guard.wordlists",
    "supportkit.library", "supportkit.library.store", "supportkit.yamlsource", "supportkit.matching",
    "supportkit.matching.cues", "supportkit.matching.features", "supportkit.matching.fold", "supportkit.matching.index",
    "supportkit.matching.scoring",
    "supportkit.matching.store", "supportkit.pipeline", "supportkit.rendering", "supportkit.rendering.budget",
    "supportkit.rendering.fastpath", "supportkit.rendering.tree",
}
NEVER = ("numpy", "ctranslate2", "sentencepiece", "dask", "markdown_it", "babel.dates", "babel.messages", "duckdb",
         "altair", "vl_convert")
CASES = {
    "import": ([], FOUNDATION, ("jinja2", "yaml", "langdetect", "wordfreq", "opencc", "mnemonic")),
    "detect": (["detect", "hola"], FOUNDATION | DETECTION, ("jinja2", "yaml", "opencc", "mnemonic")),
    "reply": (["reply", "my USDT transfer has been pending since yesterday"], FOUNDATION | REPLY, ()),
}


def _loaded(argv: list[str]) -> set[str]:
    out = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for these runs: the models and catalogs are built once, as on an agent's machine."""
    return tmp_path_factory.mktemp("cache")


@pytest.mark.parametrize("language", UI_LANGUAGES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_command_loads_only_what_it_needs(monkeypatch: pytest.MonkeyPatch, shared_cache: Path, language: str,
                                            case: str) -> None:
    argv, allowed, not_yet = CASES[case]
    monkeypatch.setenv("SUPPORTKIT_LANG", language)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    _loaded(argv)  # the first run fills the caches (compiled catalog, detection model); measured is the next
    loaded = _loaded(argv)
    ours = {m for m in loaded if m.split(".")[0] == "supportkit"}
    assert sorted(ours - allowed) == []
    assert [m for m in (*NEVER, *not_yet) if m in loaded] == []
