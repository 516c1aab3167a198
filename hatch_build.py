"""Build hook: what the wheel ships that git does not keep.

- ``locales/*/LC_MESSAGES/messages.po`` compiled into ``.mo`` files. An editable install needs
  none: ``supportkit.i18n`` compiles catalogs into the user's cache on first use.
- The language detection model (``supportkit/data/detect.model``, 19 MB, built from wordfreq and
  langdetect data in about 10 s) and the bundled library's match index (``match.index``, 4 MB,
  2 s), so that no user's first command pays for them. An editable install (``pip install -e .``)
  writes them into the checkout, where git ignores them. When one cannot be built the install
  goes on: the first run builds it into the cache folder instead.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc]
    """Adds ``supportkit/data/locales/<ll>/LC_MESSAGES/messages.mo`` to the wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        self._prebuilt(version, build_data)
        if version == "editable":
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

    def _prebuilt(self, version: str, build_data: dict[str, Any]) -> None:
        """The detection model and the bundled library's match index, prebuilt (see their modules)."""
        root = Path(self.root)
        sys.path.insert(0, str(root))
        folder = None if version == "editable" else Path(tempfile.mkdtemp(prefix="supportkit-prebuilt-"))
        try:
            try:
                from supportkit.detection import model
                from supportkit.library import load_library
                from supportkit.matching import store
            except ImportError as exc:
                self.app.display_warning(f"supportkit: nothing prebuilt ({exc}); the first run builds "
                                         "the detection model and the match index into the cache folder")
                return
            artefacts = (("detect.model", model.shipped_path(), model.write_shipped),
                         ("match.index", store.shipped_path(),
                          lambda target: store.write_shipped(target, load_library(root / "replies"))))
            for name, in_checkout, write in artefacts:
                # Editable: into the checkout, next to the code it belongs to (git ignores it).
                target = in_checkout if folder is None else folder / name
                try:
                    write(target)
                except Exception as exc:  # noqa: BLE001 - the install goes on; the first run builds it instead
                    self.app.display_warning(f"supportkit: {name} was not prebuilt ({exc}); "
                                             "the first run builds it into the cache folder instead")
                    continue
                if folder is not None:
                    build_data["force_include"][str(target)] = f"supportkit/data/{name}"
        finally:
            sys.path.remove(str(root))
            for name in [name for name in sys.modules if name == "supportkit" or name.startswith("supportkit.")]:
                del sys.modules[name]
