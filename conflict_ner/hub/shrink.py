"""Shrink a model folder for shipping: keep the vocabulary rows that news text uses, store fp16.

The kept pieces are those the tokenizer produces on a reference corpus (ranked by frequency,
up to ``max_vocab``) plus every single-character piece of the Arabic and Basic Latin blocks,
so any Arabic or ASCII text stays representable. A unigram tokenizer restricted to a subset
that contains a text's best segmentation gives that same segmentation, so the reference texts
tokenize exactly as before; rarer words split into smaller kept pieces. Weights are stored in
fp16 and the config asks for fp32 on load, so CPU inference runs in fp32.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from ..text.normalize import normalize
from ..text.windows import unit_spans


def _keep_char(piece: str) -> bool:
    s = piece.lstrip("▁")
    return len(s) == 1 and (0x20 <= ord(s) < 0x7F or 0x0600 <= ord(s) <= 0x06FF or 0xFB50 <= ord(s) <= 0xFEFF)


def _arabic_or_latin(piece: str) -> bool:
    s = piece.lstrip("▁")
    return bool(s) and all(c.isdigit() or "a" <= c.lower() <= "z" or 0x0620 <= ord(c) <= 0x06FF for c in s)


def piece_counts(tokenizer, texts) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        norm = normalize(text).text
        words = [norm[s:e] for s, e in unit_spans(norm)[0]]
        if words:
            counts.update(tokenizer(words, is_split_into_words=True, add_special_tokens=False)["input_ids"])
    return counts


def shrink_folder(src: str | Path, dst: str | Path, texts, max_vocab: int = 25000) -> dict:
    from transformers import AutoTokenizer

    src, dst = Path(src), Path(dst)
    tok = AutoTokenizer.from_pretrained(src)
    spec = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = spec["model"]["vocab"]
    special = {a["id"] for a in spec["added_tokens"]}
    counts = piece_counts(tok, texts)
    chars = {i for i, (p, _) in enumerate(vocab) if _keep_char(p)}
    ranked = [i for i, _ in counts.most_common() if i not in special and i not in chars]
    chosen = special | chars | set(ranked[: max(0, max_vocab - len(special) - len(chars))])
    # Fill what is left of the budget with the likeliest unseen Arabic/Latin pieces (by unigram
    # score), so words absent from the reference texts still split into familiar pieces.
    spare = sorted((i for i, (p, _) in enumerate(vocab) if i not in chosen and _arabic_or_latin(p)), key=lambda i: -vocab[i][1])
    keep = sorted(chosen | set(spare[: max(0, max_vocab - len(chosen))]))
    old2new = {o: n for n, o in enumerate(keep)}

    spec["model"]["vocab"] = [vocab[i] for i in keep]
    spec["model"]["unk_id"] = old2new[spec["model"]["unk_id"]]
    for a in spec["added_tokens"]:
        a["id"] = old2new[a["id"]]
    for st in spec["post_processor"].get("special_tokens", {}).values():
        st["ids"] = [old2new[i] for i in st["ids"]]

    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("checkpoint-*", "__pycache__", "model.safetensors"))
    (dst / "tokenizer.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    weights = load_file(src / "model.safetensors")
    emb_key = next(k for k in weights if k.endswith("word_embeddings.weight"))
    weights[emb_key] = weights[emb_key][torch.tensor(keep)]
    save_file({k: v.to(torch.float16).contiguous() for k, v in weights.items()}, dst / "model.safetensors", metadata={"format": "pt"})

    cfg = json.loads((dst / "config.json").read_text(encoding="utf-8"))
    cfg["vocab_size"] = len(keep)
    for key in ("pad_token_id", "bos_token_id", "eos_token_id"):
        if cfg.get(key) is not None:
            cfg[key] = old2new[cfg[key]]
    cfg["dtype"] = "float32"  # stored fp16, computed fp32 on CPU
    (dst / "config.json").write_text(json.dumps(cfg, indent=2, ensure_ascii=False), encoding="utf-8")
    tcfg_path = dst / "tokenizer_config.json"
    if tcfg_path.exists():
        tcfg = json.loads(tcfg_path.read_text(encoding="utf-8"))
        tcfg.pop("added_tokens_decoder", None)
        tcfg_path.write_text(json.dumps(tcfg, indent=2, ensure_ascii=False), encoding="utf-8")
    seen = sum(counts.values())
    covered = sum(c for i, c in counts.items() if i in old2new)
    return {"vocab_before": len(vocab), "vocab_after": len(keep), "seen_in_reference": len(counts), "reference_pieces": seen,
            "reference_coverage": round(covered / max(seen, 1), 6),
            "bytes_before": (src / "model.safetensors").stat().st_size, "bytes_after": (dst / "model.safetensors").stat().st_size}
