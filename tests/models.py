"""Tiny but real translation models for the tests and the benchmark (numpy only, no torch, no network).

Three builders, each fast (about 0.1 s):

* :func:`train_sentencepiece`: a SentencePiece model trained in memory on generated
  help-desk phrases in zh/en/es/ru/fr, with byte fallback on and identity
  normalization, so every string (emoji, addresses, any script) round-trips exactly.
* :func:`copy_model_spec`: a CTranslate2 Transformer whose weights are set by hand so
  that its output equals its input. It proves spans, markers and pivots survive the
  real load-quantize-decode path.
* :func:`random_model_spec`: the same architecture with seeded random weights; its
  output is garbage, which proves the fallback never loses a span.

:func:`build_package` saves a spec with its SentencePiece model as an Argos
``.argosmodel`` zip (``<name>/metadata.json``, ``<name>/model/``,
``<name>/sentencepiece.model``), the layout ``argospm`` installs.

How the copy model works. The residual stream is split into three blocks: a
*token* block (a unit vector per vocabulary entry), a *position* block
(cos/sin of the position at frequencies pi/2, pi/4, ... pi/2^K, so any two
positions closer than 2^K differ by at least 1 in their dot product) and an
*output* block. Every layer's self-attention and feed-forward write nothing
(zero output weights), so the encoder passes token+position through. The
decoder's cross-attention at step t queries with its own position, so it reads
encoder position t almost exclusively; its values copy that position's token
block into the output block, and the output projection scores each vocabulary
entry by its dot product with the output block. The source gets ``</s>``
appended (``add_source_eos``), so after the last token the decoder copies
``</s>`` and stops.

LayerNorm subtracts the mean of the vector, which would smear a constant over
every block. Each vector is therefore stored twice, ``[z, -z]``: its mean is
always zero and LayerNorm is a pure rescaling, whose factor is known because
every block has a fixed norm. Linear maps act on both halves alike.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

TOKEN_DIMS = 64
FREQUENCIES = 10
"""Positions 0..1023 are told apart (frequencies pi/2 .. pi/1024)."""
MAX_POSITIONS = 2 ** FREQUENCIES

_SUBJECTS = {
    "en": ["My USDT transfer", "The withdrawal from the exchange", "My deposit", "The swap", "My wallet",
           "The transaction", "My TRX", "The payment to my friend"],
    "es": ["Mi transferencia de USDT", "El retiro del exchange", "Mi depósito", "El intercambio",
           "Mi billetera", "La transacción", "Mis TRX", "El pago a mi amigo"],
    "fr": ["Mon transfert de USDT", "Le retrait de la plateforme", "Mon dépôt", "L'échange", "Mon portefeuille",
           "La transaction", "Mes TRX", "Le paiement à mon ami"],
    "ru": ["Мой перевод USDT", "Вывод с биржи", "Мой депозит", "Обмен", "Мой кошелёк", "Транзакция",
           "Мои TRX", "Платёж другу"],
    "zh": ["我的USDT转账", "从交易所提现", "我的充值", "闪兑", "我的钱包", "这笔交易", "我的TRX", "给朋友的付款"],
}
_PREDICATES = {
    "en": ["is still pending after {n} hours.", "did not arrive.", "failed with an error.", "is stuck.",
           "shows a fee of {n} TRX.", "was sent to the wrong network?"],
    "es": ["sigue pendiente después de {n} horas.", "no ha llegado.", "falló con un error.", "está atascado.",
           "muestra una comisión de {n} TRX.", "¿se envió a la red equivocada?"],
    "fr": ["est toujours en attente après {n} heures.", "n'est pas arrivé.", "a échoué avec une erreur.",
           "est bloqué.", "affiche des frais de {n} TRX.", "a été envoyé sur le mauvais réseau ?"],
    "ru": ["всё ещё в ожидании через {n} часов.", "не пришёл.", "завершился ошибкой.", "завис.",
           "показывает комиссию {n} TRX.", "отправлен не в ту сеть?"],
    "zh": ["已经等了{n}小时还在处理中。", "没有到账。", "失败了，显示错误。", "卡住了。", "显示手续费{n} TRX。",
           "是不是发错网络了？"],
}
_EXTRAS = ["Please help, hash 0x", "Адрес: T", "Contact {user_name} at https://help.example.com/a_b?x=1 or support@example.com",
           "{{ brand.product }} %s 1,250.50 USDT 0.5 ETH $20 TRC20 ERC20 @support_team", "¿Cómo? ¡Ayuda! «Bonjour» — “quoted” 《钱包》"]


def support_phrases(count: int = 400, seed: int = 7) -> list[str]:
    """Generated help-desk sentences in the five languages (plus a few with spans) to train on."""
    rng = random.Random(seed)
    lines: list[str] = []
    codes = sorted(_SUBJECTS)
    for index in range(count):
        code = codes[index % len(codes)]
        sentence = f"{rng.choice(_SUBJECTS[code])} {rng.choice(_PREDICATES[code]).format(n=rng.randint(1, 99))}"
        if code == "zh":
            sentence = sentence.replace(" ", "", 1)
        lines.append(sentence)
    lines.extend(_EXTRAS * 3)
    return lines


def train_sentencepiece(lines: Iterable[str] | None = None, vocab_size: int = 1000) -> bytes:
    """A serialized SentencePiece model trained in memory (byte fallback, identity normalization)."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines) if lines is not None else support_phrases()),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        byte_fallback=True,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        split_digits=True,
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def vocabulary(sentencepiece_model: bytes) -> list[str]:
    """The pieces of a SentencePiece model, in id order (``<unk>``, ``<s>``, ``</s>`` first)."""
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=sentencepiece_model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


# --- weights --------------------------------------------------------------------


def _double(block: np.ndarray) -> np.ndarray:
    """Store vectors (rows) as ``[z, -z]`` so their mean is zero."""
    return np.concatenate([block, -block], axis=-1).astype(np.float32)


def _double_map(weight: np.ndarray) -> np.ndarray:
    """A linear map ``W`` (out x in) acting alike on both halves: ``[z, -z] -> [Wz, -Wz]``."""
    half = 0.5 * weight
    return np.block([[half, -half], [-half, half]]).astype(np.float32)


def _positions(count: int) -> np.ndarray:
    """cos/sin of each position at frequencies pi/2 .. pi/2^K (a row per position, norm sqrt(K))."""
    steps = np.arange(count, dtype=np.float64)[:, None]
    freqs = np.pi / (2.0 ** np.arange(1, FREQUENCIES + 1))[None, :]
    return np.concatenate([np.cos(steps * freqs), np.sin(steps * freqs)], axis=1)


def _fill(spec: Any, weights: dict[str, np.ndarray]) -> None:
    for name, value in weights.items():
        target = spec
        parts = name.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else getattr(target, part)
        setattr(target, parts[-1], value)


def _transformer_weights(d: int, ffn: int, vocab: int, rng: np.random.Generator | None) -> dict[str, np.ndarray]:
    """Every variable of a 1+1 layer pre-norm Transformer: random when ``rng`` is given, else zero/identity."""

    def mat(rows: int, cols: int) -> np.ndarray:
        if rng is None:
            return np.zeros((rows, cols), np.float32)
        return (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(np.float32)

    ones, zeros = np.ones(d, np.float32), np.zeros(d, np.float32)
    weights: dict[str, np.ndarray] = {}
    for side in ("encoder", "decoder"):
        norms = ["layer.0.self_attention.layer_norm", "layer.0.ffn.layer_norm", "layer_norm"]
        if side == "decoder":
            norms.append("layer.0.attention.layer_norm")
        for norm in norms:
            weights[f"{side}.{norm}.gamma"] = ones
            weights[f"{side}.{norm}.beta"] = zeros
        weights[f"{side}.layer.0.self_attention.linear.0.weight"] = mat(3 * d, d)
        weights[f"{side}.layer.0.self_attention.linear.1.weight"] = mat(d, d)
        weights[f"{side}.layer.0.ffn.linear_0.weight"] = mat(ffn, d)
        weights[f"{side}.layer.0.ffn.linear_1.weight"] = mat(d, ffn)
    weights["decoder.layer.0.attention.linear.0.weight"] = mat(d, d)
    weights["decoder.layer.0.attention.linear.1.weight"] = mat(2 * d, d)
    weights["decoder.layer.0.attention.linear.2.weight"] = mat(d, d)
    weights["encoder.embeddings.0.weight"] = mat(vocab, d)
    weights["decoder.embeddings.weight"] = mat(vocab, d)
    weights["decoder.projection.weight"] = mat(vocab, d)
    return weights


def _new_spec(num_heads: int) -> Any:
    from ctranslate2.specs import transformer_spec

    spec = transformer_spec.TransformerSpec.from_config(num_layers=1, num_heads=num_heads, pre_norm=True)
    spec.encoder.scale_embeddings = False
    spec.decoder.scale_embeddings = False
    return spec


def copy_model_spec(vocab: Sequence[str], token_dims: int = TOKEN_DIMS, seed: int = 0) -> Any:
    """A ``TransformerSpec`` whose greedy or beam output is its input, token for token."""
    size = len(vocab)
    rng = np.random.default_rng(seed)
    tokens = rng.standard_normal((size, token_dims))
    tokens /= np.linalg.norm(tokens, axis=1, keepdims=True)
    pos_dims = 2 * FREQUENCIES
    half = token_dims + pos_dims + token_dims  # token | position | output
    d = 2 * half
    tok, pos, out = slice(0, token_dims), slice(token_dims, token_dims + pos_dims), slice(token_dims + pos_dims, half)

    # LayerNorm of [z, -z] multiplies by sqrt(half) / |z|; each block's norm is fixed.
    enc_scale = np.sqrt(half / (1 + FREQUENCIES))
    closest = np.max(np.abs(tokens @ tokens.T - np.eye(size)))
    dec_scale = np.sqrt(half / (1 + FREQUENCIES + enc_scale ** 2))
    attention_gap, logit_gap = 40.0, 30.0
    query_gain = attention_gap * np.sqrt(d) / (2 * enc_scale ** 2)
    logit_gain = logit_gap / ((1 - closest) * 2 * enc_scale * dec_scale)

    weights = _transformer_weights(d, 4, size, rng=None)
    embed = np.zeros((size, half))
    embed[:, tok] = tokens
    weights["encoder.embeddings.0.weight"] = _double(embed)
    weights["decoder.embeddings.weight"] = _double(embed)
    positions = np.zeros((MAX_POSITIONS, half))
    positions[:, pos] = _positions(MAX_POSITIONS)

    query = np.zeros((half, half))
    query[pos, pos] = np.eye(pos_dims) * query_gain
    key = np.zeros((half, half))
    key[pos, pos] = np.eye(pos_dims)
    value = np.zeros((half, half))
    value[out, tok] = np.eye(token_dims)
    weights["decoder.layer.0.attention.linear.0.weight"] = _double_map(query)
    weights["decoder.layer.0.attention.linear.1.weight"] = np.concatenate([_double_map(key), _double_map(value)])
    weights["decoder.layer.0.attention.linear.2.weight"] = _double_map(np.eye(half))
    projection = np.zeros((size, half))
    projection[:, out] = tokens * logit_gain
    weights["decoder.projection.weight"] = _double(projection)

    spec = _new_spec(num_heads=1)
    _fill(spec, weights)
    spec.encoder.position_encodings.encodings = _double(positions)
    spec.decoder.position_encodings.encodings = _double(positions)
    _configure(spec, vocab)
    return spec


def random_model_spec(vocab: Sequence[str], seed: int = 1, d: int = 64) -> Any:
    """A ``TransformerSpec`` with seeded random weights: real decoding, garbage output."""
    rng = np.random.default_rng(seed)
    weights = _transformer_weights(d, 2 * d, len(vocab), rng=rng)
    weights["decoder.projection.weight"] *= 4  # sharper, so the garbage is varied rather than one token
    spec = _new_spec(num_heads=2)
    _fill(spec, weights)
    _configure(spec, vocab)
    return spec


def _configure(spec: Any, vocab: Sequence[str]) -> None:
    spec.register_source_vocabulary(list(vocab))
    spec.register_target_vocabulary(list(vocab))
    spec.config.add_source_eos = True


# --- packages -------------------------------------------------------------------


LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "es": "Spanish", "ru": "Russian", "fr": "French"}


def build_package(out_dir: Path, from_code: str, to_code: str, kind: str = "copy", *,
                  sentencepiece_model: bytes | None = None, version: str = "1.0", seed: int = 1,
                  quantization: str = "int8", extra_metadata: dict[str, Any] | None = None) -> Path:
    """Write ``translate-<from>_<to>-<version>.argosmodel`` into ``out_dir`` and return its path."""
    import tempfile

    sp_model = sentencepiece_model if sentencepiece_model is not None else train_sentencepiece()
    vocab = vocabulary(sp_model)
    spec = copy_model_spec(vocab) if kind == "copy" else random_model_spec(vocab, seed=seed)
    spec.validate()
    spec.optimize(quantization=quantization)
    name = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    metadata = {
        "package_version": version,
        "argos_version": "1.9.0",
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "code": f"translate-{from_code}_{to_code}",
        "type": "translate",
        "links": [],
        **(extra_metadata or {}),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{name}.argosmodel"
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        model_dir.mkdir()
        spec.save(str(model_dir))
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{name}/metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2))
            zf.writestr(f"{name}/sentencepiece.model", sp_model)
            zf.writestr(f"{name}/README.md", f"Test model ({kind}) {from_code} -> {to_code}, built by tests/models.py.\n")
            for path in sorted(model_dir.iterdir()):
                zf.write(path, f"{name}/model/{path.name}")
    return archive
