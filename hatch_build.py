"""Build hook: compile ``locales/*/LC_MESSAGES/messages.po`` into the wheel as ``.mo`` files.

``.mo`` files are build output and never committed. An editable install needs none:
``supportkit.i18n`` compiles catalogs into the user's cache on first use.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc]
    """Adds ``supportkit/data/locales/<ll>/LC_MESSAGES/messages.mo`` to the wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(self.root)
        out = Path(tempfile.mkdtemp(prefix="supportkit-mo-"))
        for po_path in sorted((root / "locales").glob("*/LC_MESSAGES/messages.po")):
            with po_path.open("rb") as handle:
                catalog = read_po(handle, abort_invalid=True)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            relative = po_path.relative_to(root / "locales").with_suffix(".mo")
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(buffer.getvalue())
            build_data["force_include"][str(target)] = f"supportkit/data/locales/{relative.as_posix()}"
