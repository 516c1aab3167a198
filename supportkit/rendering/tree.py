"""Jinja trees as the renderer and the checks walk them: every node listed once, and plain text."""

from __future__ import annotations

import re

import jinja2

_NEWLINE_RE = re.compile(r"\r\n|\r|\n")


def plain_text(source: str) -> str:
    """What the environment renders for text holding no tag: newlines normalized to ``\\n``
    and one trailing newline dropped (``keep_trailing_newline=False``), as Jinja's lexer does."""
    lines = _NEWLINE_RE.split(source)
    if lines[-1] == "":
        del lines[-1]
    return "\n".join(lines)


def tree_nodes(tree: jinja2.nodes.Node) -> list[jinja2.nodes.Node]:
    """Every node under ``tree``, in ``tree.find_all(Node)`` order; listed once and remembered on the tree
    (``check`` rules walk each tree many times; ``find_all`` nests a generator per level and costs 5x more)."""
    flat = getattr(tree, "_supportkit_flat", None)
    if flat is None:
        flat = []
        _collect_nodes(tree, flat)
        tree._supportkit_flat = flat  # type: ignore[attr-defined]
    return flat


def _collect_nodes(node: jinja2.nodes.Node, out: list[jinja2.nodes.Node]) -> None:
    # As Node.iter_child_nodes: each field in order, list items in order, depth first.
    for name in node.fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, jinja2.nodes.Node):
                    out.append(item)
                    _collect_nodes(item, out)
        elif isinstance(value, jinja2.nodes.Node):
            out.append(value)
            _collect_nodes(value, out)
