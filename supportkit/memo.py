"""Results remembered per object that cannot be a dict key: dataclasses such as a ``Library`` or a
``MatchIndex`` compare by value, so they are looked up by identity and held while remembered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def remembered(cache: dict[tuple[Any, ...], tuple[Any, Any]], owner: object, key: tuple[Any, ...],
               make: Callable[[], T], limit: int) -> T:
    """``make()``, remembered in ``cache`` for ``owner`` (by identity; it is held, so its id stays its
    own) and ``key``. At ``limit`` entries the cache starts afresh: memory stays bounded."""
    full = (id(owner), *key)
    hit = cache.get(full)
    if hit is None or hit[0] is not owner:
        if len(cache) >= limit:
            cache.clear()
        hit = cache[full] = (owner, make())
    result: T = hit[1]
    return result
