"""What a template's text holds, read from its tree without rendering it: the names it reads,
its block tags, its plural forms. The writers' checks, preview and drafts read templates this way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from supportkit.errors import N_, Message

JINJA_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
"""Any Jinja expression, tag or comment."""

_BLOCK_OPENERS = {"if", "for", "macro", "call", "filter", "raw", "with", "autoescape", "trans", "block"}
_TAG_RE = re.compile(r"\{%-?\+?\s*(\w+)(.*?)-?\+?%\}", re.DOTALL)


def unbalanced_block(text: str) -> tuple[int, Message] | None:
    """``(offset, message)`` of the first block tag without its partner, else None."""
    stack: list[tuple[str, int]] = []
    for match in _TAG_RE.finditer(text):
        name, rest = match.group(1), match.group(2)
        if name == "set" and "=" not in rest:
            name = "set_block"
        if name in _BLOCK_OPENERS or name == "set_block":
            stack.append((name, match.start()))
        elif name.startswith("end"):
            wanted = name[3:]
            wanted = "set_block" if wanted == "set" else wanted
            if not stack:
                return match.start(), Message.of(N_("{tag} closes nothing"), tag=f"{{% {name} %}}")
            opened, offset = stack.pop()
            if opened != wanted:
                label = "set" if opened == "set_block" else opened
                return match.start(), Message.of(N_("{tag} found where {wanted} was expected"), tag=f"{{% {name} %}}",
                                                 wanted=f"{{% end{label} %}}")
        elif name in ("else", "elif") and not stack:
            return match.start(), Message.of(N_("{tag} outside any {block} block"), tag=f"{{% {name} %}}",
                                             block="{% if %}")
    if stack:
        opened, offset = stack[-1]
        label = "set" if opened == "set_block" else opened
        return offset, Message.of(N_("{tag} is never closed ({wanted} missing)"), tag=f"{{% {label} %}}",
                                  wanted=f"{{% end{label} %}}")
    return None


def walk(node: Any, kind: type | tuple[type, ...]) -> Iterator[Any]:
    """Nodes of ``kind`` under ``node``; the flat node list is built once per tree (rules walk it often)."""
    from supportkit.rendering.tree import tree_nodes

    return (n for n in tree_nodes(node) if isinstance(n, kind))


def used_names(ast: Any) -> set[str]:
    """Variable names a parsed text reads (``brand`` attributes as ``brand.x``), cached per tree.

    A plain walk over Name nodes: ``jinja2.meta.find_undeclared_variables`` runs the
    code generator and costs ten times more, which matters for a sub-second ``check``.
    """
    cached = getattr(ast, "_supportkit_names", None)
    if cached is not None:
        return set(cached)
    from jinja2 import nodes

    loaded: set[str] = set()
    stored: set[str] = set()
    brand: set[str] = set()
    for node in walk(ast, (nodes.Name, nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Name):
            (loaded if node.ctx == "load" else stored).add(node.name)
        elif isinstance(node.node, nodes.Name) and node.node.name == "brand":
            if isinstance(node, nodes.Getattr):
                brand.add(f"brand.{node.attr}")
            elif isinstance(node.arg, nodes.Const):
                brand.add(f"brand.{node.arg.value}")
    names = (loaded - stored - {"brand"}) | brand
    ast._supportkit_names = frozenset(names)
    return set(names)


def name_offset(text: str, name: str) -> int:
    """Offset of the first Jinja expression or tag that mentions ``name``."""
    word = re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")
    for match in JINJA_RE.finditer(text):
        if word.search(match.group()):
            return match.start()
    return 0


def plural_calls(ast: Any) -> Iterator[tuple[int, dict[str, str], Any]]:
    """``(line in text, forms, argument node)`` for every ``| plural(...)`` filter."""
    from jinja2 import nodes

    for node in walk(ast, nodes.Filter):
        if node.name == "plural":
            forms = {kw.key: kw.value.value for kw in node.kwargs if isinstance(kw.value, nodes.Const)}
            yield node.lineno, forms, node.node


@functools.lru_cache(maxsize=16)
def plural_categories(locale: str) -> frozenset[str]:
    """The CLDR plural categories of ``locale`` (``other`` included)."""
    from babel import Locale

    return frozenset(Locale.parse(locale).plural_form.tags) | {"other"}
