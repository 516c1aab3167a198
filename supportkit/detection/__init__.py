"""Language identification for help-desk messages (zh en es ru fr, and what they are confused with).

``detect(text)`` returns a :class:`Detection` (language, confidence, script, ranked
alternatives); ``detect_many(texts)`` does the same for a batch. See ``core`` for
how it works and ``model`` for the compiled, cached data it runs on.
"""

from supportkit.detection.core import CONFUSABLE, SUPPORTED, Alternative, Detection, detect, detect_many

__all__ = ["CONFUSABLE", "SUPPORTED", "Alternative", "Detection", "detect", "detect_many"]
