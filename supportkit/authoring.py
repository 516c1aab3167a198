"""Edits writers ask for, made to the YAML text in place so comments and layout survive."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from supportkit.errors import TemplateError
from supportkit.library import load_template


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so a crash never leaves half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def stamp(path: Path, locales: list[str] | None = None, source_locale: str = "en") -> list[str]:
    """Record the current source digest in ``locales`` (all translations by default).

    A writer runs this after bringing a translation up to date with its source; the
    check for stale translations compares against it. Returns the locales stamped.
    """
    template, problems = load_template(path, source_locale)
    if template is None or template.source is None:
        detail = problems[0] if problems else f"{path}: no source locale"
        raise TemplateError(f"cannot stamp {path.name}: {detail}")
    digest = template.source_digest()
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
        write_atomically(path, "".join(lines))
    return sorted(stamped)
