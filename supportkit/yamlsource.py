"""YAML reading that keeps line numbers and refuses what a template file never needs.

Aliases and anchors are refused (alias bombs), duplicate keys are errors, and every
value can be traced back to its line for ``path:line: locale: message`` reports.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from supportkit.errors import N_, YamlProblem

if TYPE_CHECKING:
    import yaml

# PyYAML is imported when a file is first parsed: commands that find the parsed
# library in the cache (reply, detect...) never pay for it (about 30 ms cold).


@functools.lru_cache(maxsize=1)
def _yaml() -> Any:
    import yaml

    return yaml


@functools.lru_cache(maxsize=1)
def _loader() -> type:
    yaml = _yaml()
    # The C parser when available: several times faster on cold start.
    loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader

MAX_YAML_BYTES = 2 * 1024 * 1024




class Located(dict[str, Any]):
    """A mapping that remembers the line of each key (1-based) and its own line."""

    line: int = 1
    key_lines: dict[str, int]
    value_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Line of ``key`` in the file, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A sequence that remembers each item's line."""

    line: int = 1
    item_lines: list[int]


def load_yaml(text: str) -> Any:
    """Parse one YAML document into plain data with line information."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise YamlProblem(1, N_("file is larger than {limit} MiB"), limit=MAX_YAML_BYTES // (1024 * 1024))
    yaml = _yaml()
    try:
        node = yaml.compose(text, Loader=_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlProblem(line, N_("invalid YAML: {reason}"), reason=str(exc.problem or exc.context)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, N_("invalid YAML: {reason}"), reason=str(exc)) from None
    if node is None:
        return None
    try:
        return _convert(node, set())
    except _AliasFound:
        line = next(
            (e.start_mark.line + 1 for e in yaml.parse(text, Loader=_loader())
             if isinstance(e, yaml.AliasEvent) and e.start_mark is not None), 1
        )
        raise YamlProblem(line, N_("YAML anchors and aliases are not allowed in templates")) from None


class _AliasFound(Exception):
    pass


@functools.lru_cache(maxsize=1)
def _scalars() -> Any:
    return _yaml().constructor.SafeConstructor()


def _convert(node: yaml.Node, seen: set[int]) -> Any:
    yaml = _yaml()
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.ScalarNode):
        # compose() shares one node object wherever an alias points to it; meeting a
        # node twice means an alias, refused so an alias bomb cannot expand.
        if id(node) in seen:
            raise _AliasFound
        seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        result = Located()
        result.line = line
        result.key_lines = {}
        result.value_lines = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, seen)
            if not isinstance(key, str):
                raise YamlProblem(key_node.start_mark.line + 1, N_("keys must be text, not {key!r}"), key=key)
            if key in result:
                raise YamlProblem(key_node.start_mark.line + 1, N_("duplicate key {key!r}"), key=key)
            result[key] = _convert(value_node, seen)
            result.key_lines[key] = key_node.start_mark.line + 1
            # A block scalar's text starts on the line after its indicator.
            value_line = value_node.start_mark.line + 1
            if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
                value_line += 1
            result.value_lines[key] = value_line
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList(_convert(item, seen) for item in node.value)
        items.line = line
        items.item_lines = [item.start_mark.line + 1 for item in node.value]
        return items
    if node.tag == _STR_TAG:
        return node.value  # what SafeConstructor makes of it, without its bookkeeping (most scalars are text)
    return _scalars().construct_object(node, deep=True)


_STR_TAG = "tag:yaml.org,2002:str"
