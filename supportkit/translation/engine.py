"""The engine: Argos packages run directly with CTranslate2 and SentencePiece.

``ctranslate2`` and ``sentencepiece`` are imported when the first model loads, never
at import time. A language pair loads on first use and stays loaded for the life of
the ``Engine`` (``default_engine`` keeps one per packages folder). Weights are
quantized to int8 on load by default. Sentences are batched by length, and each
batch's decoding is capped at ``2 x its longest input + 10`` tokens (and at
``max_decoding_length``), so a model that loops cannot run away. Nothing here
touches the network.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supportkit.errors import N_, Message, ModelError
from supportkit.translation.masking import MARKER_STYLES, MarkerStyle
from supportkit.translation.packages import (
    InstalledPackage,
    install_command,
    list_installed,
    packages_dir,
    version_key,
)

PIVOT = "en"
"""Argos ships en<->X packages; any other pair goes through English."""


@dataclass(frozen=True)
class EngineOptions:
    """How models run. The defaults suit a laptop CPU and a help-desk message."""

    device: str = "cpu"
    compute_type: str = "int8"
    beam_size: int = 2
    max_batch_size: int = 32
    max_decoding_length: int = 512
    decoding_ratio: float = 2.0
    intra_threads: int = 1
    """One thread: for a help-desk message, waking more threads costs more than it saves
    (measured by scripts/bench_translate.py); 0 lets CTranslate2 use up to 4 for long jobs."""


class PairModel:
    """One loaded package: its CTranslate2 translator and SentencePiece processor."""

    def __init__(self, package: InstalledPackage, options: EngineOptions) -> None:
        if package.tokenizer != "sentencepiece":
            raise ModelError(
                N_("package {package} uses a {tokenizer} tokenizer, which this engine cannot run"), str(package.path),
                N_("Install a SentencePiece package for the pair: {command}"), package=package.info.code,
                tokenizer=package.tokenizer, command=install_command(package.from_code, package.to_code))
        import ctranslate2
        import sentencepiece

        self.package = package
        self.options = options
        self.target_prefix = package.info.target_prefix
        try:
            self.tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(package.path / "sentencepiece.model"))
            self.translator = self._load(ctranslate2, package.path / "model", options)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(N_("cannot load package {package}: {reason}"), str(package.path),
                             N_("Reinstall it: {command}"), package=package.info.code, reason=str(exc),
                             command=install_command(package.from_code, package.to_code)) from None
        self._lock = threading.Lock()

    @staticmethod
    def _load(ctranslate2: Any, path: Path, options: EngineOptions) -> Any:
        try:
            return ctranslate2.Translator(str(path), device=options.device, compute_type=options.compute_type,
                                          inter_threads=1, intra_threads=options.intra_threads)
        except ValueError:
            # This CPU cannot run the requested compute type (int8 needs AVX2 or NEON): use the model's own.
            return ctranslate2.Translator(str(path), device=options.device, compute_type="default",
                                          inter_threads=1, intra_threads=options.intra_threads)

    def spells(self, text: str) -> bool:
        """True when the tokenizer encodes ``text`` without unknown pieces and decodes it back unchanged."""
        ids = self.tokenizer.encode(text)
        return self.tokenizer.unk_id() not in ids and self.tokenizer.decode(ids) == text

    def translate(self, texts: Sequence[str]) -> list[str]:
        """Each text translated; texts are batched by token length and decoding is capped per batch."""
        if not texts:
            return []
        tokens = [self.tokenizer.encode(t, out_type=str) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        out: list[str] = [""] * len(texts)
        size = max(1, self.options.max_batch_size)
        for start in range(0, len(order), size):
            batch = order[start:start + size]
            longest = max(len(tokens[i]) for i in batch)
            cap = min(self.options.max_decoding_length, int(longest * self.options.decoding_ratio) + 10)
            prefix = [[self.target_prefix] for _ in batch] if self.target_prefix else None
            with self._lock:
                results = self.translator.translate_batch(
                    [tokens[i] for i in batch], target_prefix=prefix, beam_size=self.options.beam_size,
                    max_decoding_length=cap, max_input_length=0, replace_unknowns=True)
            for i, result in zip(batch, results, strict=True):
                pieces = result.hypotheses[0]
                if self.target_prefix and pieces and pieces[0] == self.target_prefix:
                    pieces = pieces[1:]
                out[i] = self.tokenizer.decode(pieces)
        return out


class Engine:
    """Installed packages, the route between two languages, and the models, loaded on first use."""

    def __init__(self, root: Path | None = None, options: EngineOptions | None = None) -> None:
        self.root = packages_dir() if root is None else root
        self.options = options or EngineOptions()
        self._models: dict[tuple[str, str], PairModel] = {}
        self._lock = threading.Lock()

    def installed(self) -> dict[tuple[str, str], InstalledPackage]:
        """The best installed package for each pair: usable here, then the newest.

        Re-read at each call, so a package installed meanwhile (by us or argospm) is found.
        """
        found: dict[tuple[str, str], InstalledPackage] = {}
        for package in sorted(list_installed(self.root), key=_preference):
            found[package.info.pair] = package  # the last one, the most preferred, wins
        return found

    def route(self, source: str, target: str) -> list[str]:
        """Languages from ``source`` to ``target``: ``[zh, es]`` direct, ``[zh, en, es]`` via English.

        Raises ModelError naming the exact install command when a package is missing.
        """
        if source == target:
            return [source]
        pairs = self.installed()
        if (source, target) in pairs:
            return [source, target]
        command = install_command(source, target)
        if PIVOT not in (source, target):
            missing = [hop for hop in ((source, PIVOT), (PIVOT, target)) if hop not in pairs]
            if not missing:
                return [source, PIVOT, target]
            if len(missing) == 1:
                raise ModelError(N_("no translation model for {source} -> {target} (missing {hop_source} -> "
                                    "{hop_target} for the route via English)"), str(self.root),
                                 N_("Install it (online): {command}; {offline}"),
                                 source=source, target=target, hop_source=missing[0][0], hop_target=missing[0][1],
                                 command=install_command(*missing[0]), offline=_offline(source, target, pairs))
        raise ModelError(N_("no translation model for {source} -> {target}"), str(self.root),
                         N_("Install it (online): {command}; {offline}"),
                         source=source, target=target, command=command, offline=_offline(source, target, pairs))

    def model(self, source: str, target: str) -> PairModel:
        """The loaded model for one hop (loaded now if it is not yet)."""
        with self._lock:
            key = (source, target)
            package = self.installed().get(key)
            if package is None:
                raise ModelError(N_("no translation model for {source} -> {target}"), str(self.root),
                                 N_("Install it: {command}"), source=source, target=target,
                                 command=install_command(source, target))
            loaded = self._models.get(key)
            if loaded is None or loaded.package.path != package.path or _stamp(loaded.package) != _stamp(package):
                loaded = PairModel(package, self.options)
                self._models[key] = loaded
            return loaded

    def translate(self, texts: Sequence[str], path: Sequence[str]) -> list[str]:
        """``texts`` through every hop of ``path`` (each hop one batched call)."""
        out = list(texts)
        for source, target in zip(path, path[1:], strict=False):
            out = self.model(source, target).translate(out) if out else []
        return out

    def marker_styles(self, path: Sequence[str]) -> tuple[MarkerStyle, ...]:
        """The marker styles every model on ``path`` can spell (see ``masking``)."""
        models = [self.model(a, b) for a, b in zip(path, path[1:], strict=False)]
        return tuple(style for style in MARKER_STYLES
                     if all(m.spells(f"x {style.marker(0)} y {style.marker(12)}") for m in models))


def _offline(source: str, target: str, installed: Collection[tuple[str, str]]) -> Message:
    """How to install the pair from files: the exact ones, when an index saved here names them (read
    from disk only; the index client is imported here, on the error path, not with the engine)."""
    from supportkit.translation.package_index import manual_install

    return manual_install(source, target, installed)


def _preference(package: InstalledPackage) -> tuple[bool, tuple[int, ...]]:
    return package.tokenizer == "sentencepiece", version_key(package.info.package_version)


def _stamp(package: InstalledPackage) -> float:
    try:
        return (package.path / "model" / "model.bin").stat().st_mtime
    except OSError:
        return 0.0


@functools.lru_cache(maxsize=4)
def _cached_engine(root: str, options: EngineOptions) -> Engine:
    return Engine(Path(root), options)


def default_engine(options: EngineOptions | None = None) -> Engine:
    """The process-wide engine for the current packages folder (models stay loaded between calls)."""
    return _cached_engine(str(packages_dir()), options or EngineOptions())
