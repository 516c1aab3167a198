"""Edits writers ask for, made to the YAML text in place so comments and layout survive."""

from __future__ import annotations

import re
from pathlib import Path

from supportkit.errors import N_, TemplateError
from supportkit.files import write_text
from supportkit.library import load_template


def stamp(path: Path, locales: list[str] | None = None, source_locale: str = "en") -> list[str]:
    """Record the current source digest in ``locales`` (all translations by default).

    A writer runs this after bringing a translation up to date with its source; the
    check for stale translations compares against it. The source text is kept as a
    snapshot (``replies/.sources/<digest>.json``) so a later change shows as a diff.
    Returns the locales stamped.
    """
    template, problems = load_template(path, source_locale)
    if template is None or template.source is None:
        if problems:
            raise TemplateError(N_("cannot stamp {name}: {problem}"), name=path.name, problem=str(problems[0]))
        raise TemplateError(N_("cannot stamp {name}: it has no source locale"), str(path), name=path.name)
    digest = template.source_digest()
    # Keep the text this digest stands for, so a later `check` can show what changed.
    from supportkit.library.sources import SourceStore, library_root

    SourceStore(library_root(path)).put(template.source.subject, template.source.body)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    stamped: list[str] = []
    # Work bottom-up so inserted lines do not shift the ones still to edit.
    targets = sorted(
        (t for code, t in template.locales.items()
         if code != source_locale and (locales is None or code in locales) and t.source != digest),
        key=lambda t: t.line, reverse=True,
    )
    for translation in targets:
        key_index = translation.line - 1
        key_indent = len(lines[key_index]) - len(lines[key_index].lstrip())
        index = key_index + 1
        child_indent = None
        replaced = False
        while index < len(lines):
            line = lines[index]
            if line.strip() and not line.lstrip().startswith("#"):
                indent = len(line) - len(line.lstrip())
                if indent <= key_indent:
                    break
                if child_indent is None:
                    child_indent = indent
                if indent == child_indent and re.match(r"\s*source\s*:", line):
                    lines[index] = " " * indent + f"source: '{digest}'\n"
                    replaced = True
                    break
            index += 1
        if not replaced:
            # Quoted: an all-digit digest would otherwise be read back as a number.
            lines.insert(key_index + 1, " " * (child_indent or key_indent + 2) + f"source: '{digest}'\n")
        stamped.append(translation.locale)
    if stamped:
        write_text(path, "".join(lines))
    return sorted(stamped)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def _block_end(lines: list[str], key_index: int) -> int:
    """Index after the last line that belongs to the mapping entry starting at ``key_index``."""
    key_indent = _indent(lines[key_index])
    end = key_index + 1
    for index in range(key_index + 1, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        if _indent(line) <= key_indent:
            break
        end = index + 1
    return end


def _yaml_entry(code: str, subject: str, body: str, digest: str, status: str, indent: int, child: int) -> list[str]:
    """A locale entry as YAML lines: the key, source, status, subject and a literal body block."""
    import json

    pad, child_pad = " " * indent, " " * child
    out = [f"{pad}{code}:\n"] if code else []
    out.append(f"{child_pad}source: '{digest}'\n")
    if status != "approved":
        out.append(f"{child_pad}status: {status}\n")
    if subject:
        out.append(f"{child_pad}subject: {json.dumps(subject, ensure_ascii=False)}\n")
    body_lines = body.rstrip("\n").split("\n")
    indicator = "|2" if body_lines and body_lines[0].startswith(" ") else "|"
    out.append(f"{child_pad}body: {indicator}\n")
    for line in body_lines:
        out.append(f"{child_pad}  {line.rstrip()}\n" if line.strip() else "\n")
    return out


def write_translation(path: Path, locale: str, subject: str, body: str, digest: str, status: str = "draft",
                      source_locale: str = "en") -> str:
    """Add or replace the ``locale`` entry of a template file, touching nothing else.

    Comments and layout elsewhere in the file stay exactly as the writer left them;
    full-line comments inside a replaced entry are kept at its top. The edit is
    checked by parsing the new text before the file is replaced. Returns
    ``"added"`` or ``"replaced"``.
    """
    new_text, action = translation_edit(path, locale, subject, body, digest, status, source_locale)
    write_text(path, new_text)
    return action


def translation_edit(path: Path, locale: str, subject: str, body: str, digest: str, status: str = "draft",
                     source_locale: str = "en") -> tuple[str, str]:
    """The text ``write_translation`` would write, and ``"added"`` or ``"replaced"``; writes nothing."""
    from supportkit.languages import SUPPORTED_LANGUAGES
    from supportkit.yamlsource import YamlProblem, load_yaml

    body = "\n".join(line.rstrip() for line in body.strip("\n").split("\n"))
    subject = " ".join(subject.split())
    template, problems = load_template(path, source_locale)
    if template is None or template.source is None:
        if problems:
            raise TemplateError(N_("cannot write a {locale} draft into {name}: {problem}"), locale=locale,
                                name=path.name, problem=str(problems[0]))
        raise TemplateError(N_("cannot write a {locale} draft into {name}: it has no {source} text"), str(path),
                            locale=locale, name=path.name, source=source_locale)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    source_key = template.source.line - 1
    indent = _indent(lines[source_key])
    child = next((_indent(line) for line in lines[source_key + 1:] if _is_content(line)), indent + 2)
    existing = template.locales.get(locale)
    if existing is not None:
        key_index = existing.line - 1
        end = _block_end(lines, key_index)
        kept = [line for line in lines[key_index + 1:end]
                if line.lstrip().startswith("#") and _indent(line) == child]
        entry = _yaml_entry("", subject, body, digest, status, indent, child)
        lines[key_index + 1:end] = kept + entry
        action = "replaced"
    else:
        entry = _yaml_entry(locale, subject, body, digest, status, indent, child)
        order = list(SUPPORTED_LANGUAGES)
        later = sorted((t for code, t in template.locales.items()
                        if code in order and locale in order and order.index(code) > order.index(locale)),
                       key=lambda t: t.line)
        if later:
            at = later[0].line - 1
            while at > 0 and lines[at - 1].lstrip().startswith("#") and _indent(lines[at - 1]) == indent:
                at -= 1  # comments just above a locale belong to it
        else:
            last = max(template.locales.values(), key=lambda t: t.line)
            at = _block_end(lines, last.line - 1)
        lines[at:at] = entry
        action = "added"
    new_text = "".join(lines)
    try:
        written = load_yaml(new_text)["locales"][locale]
        same = written["body"].rstrip("\n") == body.rstrip("\n") and written.get("subject", "") == subject
    except (YamlProblem, KeyError, TypeError):
        same = False
    if not same:
        raise TemplateError(N_("could not write the {locale} entry of {name} safely; the file is unchanged"),
                            str(path), N_("Add the translation by hand."), locale=locale, name=path.name) from None
    return new_text, action


def stamp_library(replies_dir: Path, refs: list[str], locales: list[str] | None = None, source_locale: str = "en",
                  snapshot_only: bool = False) -> dict[str, list[str]]:
    """Stamp the templates ``refs`` (every template when empty) and keep snapshots of their sources.

    With ``snapshot_only`` nothing in the templates changes: only the current source
    texts are recorded, so later edits show as diffs. Returns ref -> locales stamped.
    """
    from supportkit.library import load_library
    from supportkit.library.sources import SourceStore

    library = load_library(Path(replies_dir), source_locale, strict=False)
    chosen = [library.get(ref) for ref in refs] if refs else list(library)
    store = SourceStore(Path(replies_dir))
    done: dict[str, list[str]] = {}
    for template in chosen:
        if snapshot_only:
            if template.source is not None:
                store.put(template.source.subject, template.source.body)
            done[template.ref] = []
        else:
            done[template.ref] = stamp(template.path, locales, source_locale)
    return done
