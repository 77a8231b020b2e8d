"""Whisper's text decoder in numpy, keeping each sequence's state, for searches that extend a text a
token at a time (the digit-by-digit reading in voice/asr/dictation.py).

CTranslate2 decodes well, but its Python API starts every call from scratch: a search that asks
for the next token after a prefix, then after the prefix and one digit, then two, feeds the
whole prefix again each time, one forced token per step and each step projecting onto the whole
vocabulary. Reading an 11-digit number that way took 2-4 s on two cores. Here the prefix goes
through the decoder once, every sequence keeps its attention keys and values, and extending it by
a digit costs one step: the same search in a tenth of a second or so.

The weights are read from the CTranslate2 model folder itself (model.bin), so nothing more is
installed or downloaded; the encoder's output still comes from CTranslate2. This runs in float32,
which follows the original model at least as closely as CTranslate2's int8.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erf, log_softmax

# CTranslate2's DataType order (include/ctranslate2/types.h) and its ActivationType for exact GELU.
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_GELU = 3
_LAYER_NORM_EPS = 1e-5


class UnsupportedModel(ValueError):
    """The model folder does not hold a Whisper decoder this module can run."""


@dataclass(frozen=True)
class _Layer:
    self_norm: tuple[np.ndarray, np.ndarray]
    self_qkv: tuple[np.ndarray, np.ndarray]
    self_out: tuple[np.ndarray, np.ndarray]
    cross_norm: tuple[np.ndarray, np.ndarray]
    cross_q: tuple[np.ndarray, np.ndarray]
    cross_kv: tuple[np.ndarray, np.ndarray]
    cross_out: tuple[np.ndarray, np.ndarray]
    ffn_norm: tuple[np.ndarray, np.ndarray]
    ffn_in: tuple[np.ndarray, np.ndarray]
    ffn_out: tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class DecoderWeights:
    """Whisper's decoder, float32; linear weights transposed (inputs × outputs) for `x @ w`."""

    projection: np.ndarray  # model width × vocabulary; its columns are also the token embeddings
    positions: np.ndarray  # position × model width
    layers: tuple[_Layer, ...]
    final_norm: tuple[np.ndarray, np.ndarray]
    heads: int

    @property
    def max_positions(self) -> int:
        return self.positions.shape[0]

    @property
    def vocabulary_size(self) -> int:
        return self.projection.shape[1]

    def outputs(self, tokens: Sequence[int]) -> OutputVocabulary:
        """A decoder that scores only `tokens` as the next one (see `OutputVocabulary`)."""
        kept = np.unique(np.asarray(tokens, dtype=np.int64))
        if kept.size == 0 or kept[0] < 0 or kept[-1] >= self.vocabulary_size:
            raise ValueError("output tokens must be ids of the decoder's vocabulary")
        return OutputVocabulary(kept, np.ascontiguousarray(self.projection[:, kept]), self.vocabulary_size)

    @classmethod
    def load(cls, model_dir: str | Path) -> DecoderWeights:
        """The decoder of the CTranslate2 Whisper conversion in `model_dir`."""
        variables = _read_model_bin(Path(model_dir) / "model.bin", prefix="decoder/")

        def scalar(name: str) -> int:
            if name not in variables:
                raise UnsupportedModel(f"no {name} in the model")
            return int(variables[name].reshape(-1)[0])

        if scalar("decoder/pre_norm") != 1 or scalar("decoder/activation") != _GELU:
            raise UnsupportedModel("not a Whisper decoder (pre-norm layers with GELU)")
        if scalar("decoder/alibi") or scalar("decoder/scale_embeddings"):
            raise UnsupportedModel("not a Whisper decoder (ALiBi or scaled embeddings)")

        def linear(name: str) -> tuple[np.ndarray, np.ndarray]:
            return np.ascontiguousarray(variables[f"{name}/weight"].T), variables[f"{name}/bias"]

        def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
            return variables[f"{name}/gamma"], variables[f"{name}/beta"]

        layers = []
        while f"decoder/layer_{len(layers)}/ffn/linear_0/weight" in variables:
            at = f"decoder/layer_{len(layers)}"
            layers.append(
                _Layer(
                    self_norm=norm(f"{at}/self_attention/layer_norm"),
                    self_qkv=linear(f"{at}/self_attention/linear_0"),
                    self_out=linear(f"{at}/self_attention/linear_1"),
                    cross_norm=norm(f"{at}/attention/layer_norm"),
                    cross_q=linear(f"{at}/attention/linear_0"),
                    cross_kv=linear(f"{at}/attention/linear_1"),
                    cross_out=linear(f"{at}/attention/linear_2"),
                    ffn_norm=norm(f"{at}/ffn/layer_norm"),
                    ffn_in=linear(f"{at}/ffn/linear_0"),
                    ffn_out=linear(f"{at}/ffn/linear_1"),
                )
            )
        if not layers:
            raise UnsupportedModel("the model has no decoder layers")
        return cls(
            # Laid out for the output projection, which reads all of it at every step (the
            # transposed view took 1.7 times as long); embedding a token reads one column.
            projection=np.ascontiguousarray(variables["decoder/embeddings/weight"].T),
            positions=variables["decoder/position_encodings/encodings"],
            layers=tuple(layers),
            final_norm=norm("decoder/layer_norm"),
            heads=scalar("decoder/num_heads"),
        )


@dataclass(frozen=True)
class OutputVocabulary:
    """The tokens a search lets the decoder write next. Projecting onto the whole vocabulary is
    most of a step (its 52k × 512 floats are read for every step); a search over Chinese text
    needs the Chinese part only. Tokens left out get no probability: their mass goes to the
    others, which is the error this makes."""

    tokens: np.ndarray  # token ids, ascending
    projection: np.ndarray  # model width × len(tokens)
    size: int  # of the whole vocabulary


@dataclass
class _State:
    keys: list[np.ndarray]  # per layer: tokens so far × model width (self-attention)
    values: list[np.ndarray]
    log_probs: np.ndarray | None  # of the token after these


class CachedDecoder:
    """Log-probabilities of the next token after `prefix` + each sequence asked for, given the
    encoder's output; a sequence that extends one asked for in the call before costs only its new
    tokens. Callable as voice/asr/dictation.py's `NextTokenLogProbs`."""

    def __init__(
        self,
        weights: DecoderWeights,
        encoded: np.ndarray,
        prefix: Sequence[int],
        outputs: OutputVocabulary | None = None,
    ) -> None:
        if not prefix:
            raise ValueError("the decoder needs a prefix (at least <|startoftranscript|>)")
        self._w = weights
        self._outputs = outputs
        audio = np.asarray(encoded, dtype=np.float32)
        # The audio's keys and values are the same at every step: computed once per layer.
        self._cross = [_split(_affine(audio, layer.cross_kv), 2) for layer in weights.layers]
        self._root = self._extend([(_State([], [], None), list(prefix))])[0]
        self._states: dict[tuple[int, ...], _State] = {(): self._root}

    def __call__(self, sequences: Sequence[Sequence[int]]) -> list[np.ndarray]:
        rows = []
        for sequence in sequences:
            known, state = self._longest_known(tuple(sequence))
            rows.append((state, list(sequence[len(known) :])))
        states = self._extend(rows)
        # Only the sequences just asked for are kept: a search extends those and nothing older.
        self._states = {(): self._root} | {tuple(s): state for s, state in zip(sequences, states, strict=True)}
        return [state.log_probs for state in states]  # type: ignore[misc]

    def _longest_known(self, sequence: tuple[int, ...]) -> tuple[tuple[int, ...], _State]:
        for end in range(len(sequence), -1, -1):
            state = self._states.get(sequence[:end])
            if state is not None:
                return sequence[:end], state
        return (), self._root

    def _extend(self, rows: list[tuple[_State, list[int]]]) -> list[_State]:
        """Each state with its tokens fed in, all rows in one pass through the layers (the
        weights are read once for all of them: that, not the arithmetic, is what a step costs)."""
        w = self._w
        if not any(tokens for _, tokens in rows):
            return [state for state, _ in rows]
        starts = [state.keys[0].shape[0] if state.keys else 0 for state, _ in rows]  # positions so far
        ends = np.cumsum([len(tokens) for _, tokens in rows])  # of each row's new tokens in x
        slices = [slice(end - len(tokens), end) for end, (_, tokens) in zip(ends, rows, strict=True)]
        embedded = []
        for start, (_, tokens) in zip(starts, rows, strict=True):
            if start + len(tokens) > w.max_positions:
                raise ValueError(f"the decoder reads at most {w.max_positions} tokens")
            embedded.append(w.projection[:, tokens].T + w.positions[start : start + len(tokens)])
        x = np.concatenate(embedded)
        keys: list[list[np.ndarray]] = [[] for _ in rows]
        values: list[list[np.ndarray]] = [[] for _ in rows]
        for index, layer in enumerate(w.layers):
            q, k, v = _split(_affine(_norm(x, layer.self_norm), layer.self_qkv), 3)
            attended = np.empty_like(q)
            for row, (state, _) in enumerate(rows):
                at = slices[row]
                row_k, row_v = k[at], v[at]
                if state.keys:
                    row_k = np.concatenate([state.keys[index], row_k])
                    row_v = np.concatenate([state.values[index], row_v])
                keys[row].append(row_k)
                values[row].append(row_v)
                attended[at] = _attend(q[at], row_k, row_v, w.heads, causal_from=starts[row])
            x = x + _affine(attended, layer.self_out)
            cross_k, cross_v = self._cross[index]
            q = _affine(_norm(x, layer.cross_norm), layer.cross_q)
            x = x + _affine(_attend(q, cross_k, cross_v, w.heads), layer.cross_out)
            x = x + _affine(_gelu(_affine(_norm(x, layer.ffn_norm), layer.ffn_in)), layer.ffn_out)
        last = _norm(x[ends - 1], w.final_norm)
        outputs = self._outputs
        if outputs is None:
            log_probs = log_softmax(last @ w.projection, axis=-1)
        else:
            log_probs = np.full((len(rows), outputs.size), -np.inf, dtype=np.float32)
            log_probs[:, outputs.tokens] = log_softmax(last @ outputs.projection, axis=-1)
        return [
            _State(keys[row], values[row], log_probs[row]) if tokens else state
            for row, (state, tokens) in enumerate(rows)
        ]


def _affine(x: np.ndarray, linear: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    weight, bias = linear
    return x @ weight + bias


def _split(x: np.ndarray, parts: int) -> list[np.ndarray]:
    return np.split(x, parts, axis=-1)


def _norm(x: np.ndarray, norm: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    gamma, beta = norm
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _LAYER_NORM_EPS) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def _attend(q: np.ndarray, k: np.ndarray, v: np.ndarray, heads: int, causal_from: int | None = None) -> np.ndarray:
    """Multi-head attention of queries `q` (n × width) over `k`/`v` (t × width). With
    `causal_from`, query i sits at position causal_from + i and sees only keys up to it."""
    n, width = q.shape
    size = width // heads
    qh = q.reshape(n, heads, size).transpose(1, 0, 2)
    kh = k.reshape(-1, heads, size).transpose(1, 2, 0)
    vh = v.reshape(-1, heads, size).transpose(1, 0, 2)
    scores = (qh @ kh) / np.sqrt(size)  # heads × n × t
    if causal_from is not None and n > 1:
        visible = np.arange(k.shape[0])[None, :] <= (causal_from + np.arange(n))[:, None]
        scores = np.where(visible, scores, -np.inf)
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    scores /= scores.sum(axis=-1, keepdims=True)
    return (scores @ vh).transpose(1, 0, 2).reshape(n, width)


def _read_model_bin(path: Path, prefix: str) -> dict[str, np.ndarray]:
    """The variables of a CTranslate2 model.bin whose names start with `prefix`, as float32
    (int8 weights scaled back by their `weight_scale`). Aliases are not read: Whisper's only one is
    the output projection, which is the embeddings."""
    if not path.is_file():
        raise UnsupportedModel(f"no model.bin in {path.parent}")
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        reader = _Reader(data)
        if reader.number("I") < 5:
            raise UnsupportedModel("model.bin is from a CTranslate2 older than this reader knows")
        reader.string()  # the spec's name
        reader.number("I")  # its revision
        raw: dict[str, np.ndarray] = {}
        for _ in range(reader.number("I")):
            name = reader.string()
            shape = [reader.number("I") for _ in range(reader.number("B"))]
            dtype = _DTYPES[reader.number("B")]
            size = reader.number("I")
            if name.startswith(prefix):
                raw[name] = _as_float32(reader.take(size), dtype, shape)
            else:
                reader.skip(size)  # the encoder's weights: CTranslate2 runs it
    for name in [n for n in raw if n.endswith("/weight_scale")]:
        weight = name.removesuffix("_scale")
        raw[weight] = raw[weight] / raw.pop(name).reshape(-1, 1)
    return raw


def _as_float32(blob: bytes, dtype: str, shape: list[int]) -> np.ndarray:
    if dtype == "bfloat16":
        array = (np.frombuffer(blob, np.uint16).astype(np.uint32) << 16).view(np.float32)
    else:
        array = np.frombuffer(blob, dtype).astype(np.float32)
    return array.reshape(shape)


class _Reader:
    def __init__(self, data: mmap.mmap) -> None:
        self._data, self._at = data, 0

    def take(self, size: int) -> bytes:
        blob = self._data[self._at : self._at + size]
        self.skip(size)
        return blob

    def skip(self, size: int) -> None:
        if self._at + size > len(self._data):
            raise UnsupportedModel("model.bin ends early")
        self._at += size

    def number(self, kind: str) -> int:
        return struct.unpack(kind, self.take(struct.calcsize(kind)))[0]

    def string(self) -> str:
        return self.take(self.number("H")).rstrip(b"\0").decode("utf-8")
