"""An article's images: which file a locale shows, its size, and the bytes the site publishes.

``images/<name>`` next to the article is the picture every locale shows; ``images/<locale>/<name>``
replaces it in that locale (a screenshot of the translated app, a diagram with translated
labels). SVG is parsed and rebuilt from an allowlist of elements and attributes (no script, no
event attributes, no external references, no foreignObject, no DOCTYPE or entities) by the
standard library's expat parser; PNG, JPEG and WebP are resized to ``MAX_WIDTH`` and compressed
with Pillow (the ``site`` extra), imported only when an article shows one.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportkit.errors import N_
from supportkit.faq.options import FaqBuildError

MAX_WIDTH = 960
"""Widest raster image published (px): the article column is about 720 px wide, 1.33x for sharper screens."""
MAX_SOURCE_BYTES = 20 * 1024 * 1024
RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
"""Pillow's format per suffix (``supportkit.library.articles.RASTER_SUFFIXES``, where a locale's file is found)."""
SVG = ".svg"


class ImageError(FaqBuildError):
    """An image an article shows cannot be published (missing, unsafe, unreadable, Pillow absent)."""


@dataclass(frozen=True)
class Image:
    """A published image: where it goes in the site (``media/<slug>/...``), its size and bytes."""

    rel: str
    width: int
    height: int
    data: bytes


def publish(path: Path, slug: str, variant: str) -> Image:
    """The image at ``path`` as the site publishes it (``variant``: its locale folder, or "")."""
    stat = path.stat()
    return _publish(str(path), stat.st_size, stat.st_mtime_ns, slug, variant)


@functools.lru_cache(maxsize=256)
def _publish(path: str, size: int, mtime: int, slug: str, variant: str) -> Image:
    source = Path(path)
    if size > MAX_SOURCE_BYTES:
        raise ImageError(N_("image is larger than {size} MiB"), path,
                         N_("Export it smaller; the build resizes to the article's width anyway."),
                         size=MAX_SOURCE_BYTES // (1024 * 1024))
    suffix = source.suffix.lower()
    data = source.read_bytes()
    if suffix == SVG:
        clean, width, height = sanitize_svg(data, path)
        name = source.name
    else:
        clean, width, height = compress_raster(data, RASTER[suffix], path)
        name = source.name
    folder = f"media/{slug}/{variant}/" if variant else f"media/{slug}/"
    return Image(folder + name, width, height, clean)


def compress_raster(data: bytes, kind: str, where: str) -> tuple[bytes, int, int]:
    """The image no wider than ``MAX_WIDTH``, recompressed in its own format, and its size."""
    try:
        from PIL import Image as PILImage
    except ImportError:
        raise ImageError(N_("raster images (PNG, JPEG, WebP) need Pillow to be resized and compressed"), where,
                         N_("Install the site extra: pip install 'supportkit[site]'. SVG images need nothing.")) from None
    try:
        with PILImage.open(io.BytesIO(data)) as opened:
            opened.load()
            picture = opened.copy()
    except (OSError, ValueError, PILImage.DecompressionBombError) as exc:
        raise ImageError(N_("cannot read the image: {error}"), where, N_("Export it again as PNG, JPEG or WebP."),
                         error=str(exc)) from None
    if picture.width > MAX_WIDTH:
        picture = picture.resize((MAX_WIDTH, max(1, round(picture.height * MAX_WIDTH / picture.width))),
                                 PILImage.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG":
        picture.convert("RGB").save(out, "JPEG", quality=82, optimize=True, progressive=True)
    elif kind == "WEBP":
        picture.save(out, "WEBP", quality=80, method=6)
    else:
        picture.save(out, "PNG", optimize=True)
    return out.getvalue(), picture.width, picture.height


# --- SVG -------------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
_ELEMENTS = frozenset({
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "title",
    "desc", "defs", "marker", "linearGradient", "radialGradient", "stop", "clipPath", "symbol", "use",
})
"""Drawing elements only: no script, foreignObject, image, style, a, animate, set, iframe..."""
_ATTRIBUTES = frozenset({
    "id", "class", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
    "d", "points", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
    "stroke-linejoin", "stroke-dasharray", "stroke-opacity", "opacity", "transform", "font-family",
    "font-size", "font-weight", "text-anchor", "dominant-baseline", "dx", "dy", "role", "aria-label",
    "aria-hidden", "aria-labelledby", "preserveAspectRatio", "markerWidth", "markerHeight", "refX", "refY",
    "orient", "markerUnits", "offset", "stop-color", "stop-opacity", "gradientUnits", "clip-path",
    "marker-end", "marker-start", "href", "focusable",
})
_LOCAL_REF_RE = re.compile(r"#[A-Za-z][\w.-]*")
_URL_FUNC_RE = re.compile(r"url\(\s*([^)]*?)\s*\)", re.IGNORECASE)


def sanitize_svg(data: bytes, where: str) -> tuple[bytes, int, int]:
    """The SVG rebuilt from allowed elements and attributes only, and its width and height (px).

    Refused outright (an error names the file): a DOCTYPE or entity, text that is not XML.
    Dropped: other elements with all they hold, ``on*`` and unknown attributes, any reference
    that is not to an id in the same file (``href``, ``url(...)``).
    """
    from xml.etree import ElementTree

    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise ImageError(N_("SVG with a DOCTYPE or entities is refused"), where, N_("Save it as plain SVG (no DOCTYPE)."))
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ImageError(N_("not a valid SVG file: {error}"), where, N_("Export it again as plain SVG."),
                         error=str(exc)) from None
    if _local(root.tag) != "svg":
        raise ImageError(N_("the file's root element is not <svg>"), where, N_("Export it again as plain SVG."))
    clean = _clean(root)
    width, height = svg_size(clean)
    if width <= 0 or height <= 0:
        raise ImageError(N_("SVG needs a width and height or a viewBox"), where, N_('Add viewBox="0 0 W H".'))
    clean.set("width", _number(width))
    clean.set("height", _number(height))
    ElementTree.register_namespace("", SVG_NS)
    text = ElementTree.tostring(clean, encoding="unicode", short_empty_elements=True)
    return (text + "\n").encode("utf-8"), round(width), round(height)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{" + SVG_NS + "}") or not tag.startswith("{") else ""


def _clean(element: Any) -> Any:
    from xml.etree import ElementTree

    name = _local(element.tag)
    copy = ElementTree.Element(f"{{{SVG_NS}}}{name}")
    for key, value in element.attrib.items():
        local = key.rsplit("}", 1)[-1]
        if key.startswith("{") and not key.startswith("{http://www.w3.org/1999/xlink}"):
            continue  # attributes of other namespaces
        if local not in _ATTRIBUTES or local.lower().startswith("on"):
            continue
        if local == "href" and not _LOCAL_REF_RE.fullmatch(value.strip()):
            continue  # only a reference to this file's own ids
        if any(not _LOCAL_REF_RE.fullmatch(ref) for ref in _URL_FUNC_RE.findall(value)):
            continue  # url(...) to anything but a local id
        copy.set("href" if local == "href" else key, value)
    copy.text = element.text
    copy.tail = element.tail
    for child in element:
        if _local(child.tag) in _ELEMENTS:
            copy.append(_clean(child))
    return copy


_LENGTH_RE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*")


def svg_size(root: Any) -> tuple[float, float]:
    """Width and height in px: the attributes when plain numbers, else the viewBox's."""
    get = root.get
    width, height = _LENGTH_RE.fullmatch(get("width") or ""), _LENGTH_RE.fullmatch(get("height") or "")
    if width and height:
        return float(width.group(1)), float(height.group(1))
    parts = (get("viewBox") or "").replace(",", " ").split()
    try:
        if len(parts) == 4:
            return float(parts[2]), float(parts[3])
    except ValueError:
        pass
    return 0.0, 0.0


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"
