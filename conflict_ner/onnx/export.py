"""Export a model folder to ONE ONNX graph: encoder + tag classifier + relation head + outcome head.

``export_onnx(folder, out_dir)`` writes ``out_dir/model.onnx`` (and ``model.int8.onnx`` with
``quantize=True``), the folder's ``config.json`` and tokenizer files, and ``onnx.json`` (names,
axes, opset, file sizes, the measured PyTorch/ONNX Runtime difference).

The graph
---------
inputs (all int64)
    ``input_ids`` [B,T], ``attention_mask`` [B,T] (1 = token, 0 = padding),
    ``spans`` [B,S,2] token [start, end) of every candidate span (COUNTs and ACTORs) in the window,
    ``pairs`` [B,P,2] (count span index, actor span index) into ``spans``,
    ``pair_features`` [B,P,3] (signed word distance, same sentence 0/1, ACTORs in between),
    ``count_index`` [B,C] span index of each COUNT (-1 = padding; read as 0, ignore its row).
outputs (float32)
    ``logits`` [B,T,num_tags], ``pair_logits`` [B,P], ``outcome_logits`` [B,C,num_outcomes].

These are exactly the tensors ``conflict_ner.collate.collate_windows`` builds and
``ConflictNerModel.span_heads`` takes, so a runtime fills them the same way the PyTorch engine does.
B, T, S, P and C are all dynamic.

Empty S/P/C: the graph always computes both heads (the PyTorch ``size(1) > 0`` checks are traced
as taken). ONNX Runtime accepts zero-size S, P and C and returns zero-size ``pair_logits`` /
``outcome_logits`` (checked in the tests, fp32 and int8). The portable convention for other
runtimes is to pass at least one dummy row (span ``[0, 1]``, pair ``[0, 0]``, features ``0``,
count index ``0``) and ignore its outputs; padded rows never affect other rows.

Supported encoders: bert, roberta, xlm-roberta, electra (the ones whose attention and embeddings
are checked to trace correctly). Exporting uses the TorchScript-based exporter
(``torch.onnx.export(..., dynamo=False)``), which needs no ``onnxscript``; the graph is a single
file, so the fp32 weights must stay under protobuf's 2 GiB (a base-size encoder is ~0.5 GiB).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
from torch import nn

from .runtime import export_module, load_session, quantize_onnx

SUPPORTED_ENCODERS = ("bert", "roberta", "xlm-roberta", "electra")
INPUT_NAMES = ["input_ids", "attention_mask", "spans", "pairs", "pair_features", "count_index"]
OUTPUT_NAMES = ["logits", "pair_logits", "outcome_logits"]
DYNAMIC_AXES = {
    "input_ids": {0: "batch", 1: "tokens"},
    "attention_mask": {0: "batch", 1: "tokens"},
    "spans": {0: "batch", 1: "spans"},
    "pairs": {0: "batch", 1: "pairs"},
    "pair_features": {0: "batch", 1: "pairs"},
    "count_index": {0: "batch", 1: "counts"},
    "logits": {0: "batch", 1: "tokens"},
    "pair_logits": {0: "batch", 1: "pairs"},
    "outcome_logits": {0: "batch", 1: "counts"},
}
# Config fields every conflict-ner model folder has; a plain token classifier lacks them.
HEAD_FIELDS = ("outcome_labels", "relation_hidden_size", "relation_max_distance", "span_context")
HEAD_MODULES = ("classifier.", "relation_head.", "outcome_head.")
MODEL_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
FP32_TOLERANCE = 1e-3  # export is refused if ONNX Runtime and PyTorch disagree by more (typical: ~1e-6)


class UnsupportedModelError(ValueError):
    """The folder is not a model this exporter handles; the message names what is unsupported."""


class ExportGraph(nn.Module):
    """What gets traced: one encoder pass feeding the classifier and both span heads."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, spans, pairs, pair_features, count_index):
        m = self.model
        hidden = m.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        logits = m.classifier(hidden)
        pair_logits, outcome_logits = m.span_heads(hidden, spans, pairs, pair_features, count_index)
        return logits, pair_logits, outcome_logits


def check_supported(folder: str | Path) -> dict:
    """The folder's config.json, or UnsupportedModelError naming what this exporter cannot handle."""
    folder = Path(folder)
    cfg_path = folder / "config.json"
    if not cfg_path.is_file():
        raise UnsupportedModelError(f"{folder}: no config.json; export needs a model folder saved by conflict-ner")
    raw = json.loads(cfg_path.read_text(encoding="utf-8"))
    encoder = raw.get("encoder_model_type") or raw.get("model_type")
    if encoder == "conflict_ner":
        encoder = raw.get("encoder_model_type") or "bert"
    if encoder not in SUPPORTED_ENCODERS:
        raise UnsupportedModelError(
            f"encoder type {encoder!r} is not supported for ONNX export (supported: {', '.join(SUPPORTED_ENCODERS)})")
    missing = [k for k in HEAD_FIELDS if k not in raw]
    if missing:
        raise UnsupportedModelError(
            f"{cfg_path} has no conflict-ner heads (missing: {', '.join(missing)}); export needs a folder saved by "
            "conflict-ner (ConflictNerModel with relation and outcome heads), not a plain token classifier")
    return raw


def load_for_export(folder: str | Path):
    """The model in fp32 eval mode; refuses a folder whose head (or encoder) weights are missing."""
    from ..modeling.model import ConflictNerModel

    check_supported(folder)
    model, info = ConflictNerModel.from_pretrained(str(folder), output_loading_info=True, dtype=torch.float32)
    missing = list(info.get("missing_keys", []))
    if missing:
        heads = sorted({k.split(".")[0] for k in missing if k.startswith(HEAD_MODULES)})
        what = f"head weights ({', '.join(heads)})" if heads else "encoder weights"
        raise UnsupportedModelError(f"{folder}: {what} missing from the checkpoint, e.g. {', '.join(missing[:3])}")
    return model.float().eval()


def example_inputs(config, batch: int = 2, length: int = 16, n_spans: int = 3, n_pairs: int = 2,
                   n_counts: int = 2, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """Inputs shaped like collate_windows' output. The last row is padded, so the traced graph keeps
    the attention-mask path (an all-ones example could let transformers drop the mask)."""
    g = torch.Generator().manual_seed(seed)
    T = max(8, min(length, config.max_position_embeddings - 2))  # roberta-style positions start at pad+1
    ids = torch.randint(5, config.vocab_size, (batch, T), generator=g)
    mask = torch.ones(batch, T, dtype=torch.long)
    mask[-1, T // 2 :] = 0
    starts = torch.randint(1, T // 2 - 1, (batch, n_spans), generator=g)
    spans = torch.stack([starts, starts + torch.randint(1, 3, (batch, n_spans), generator=g)], -1)
    pairs = torch.randint(0, n_spans, (batch, n_pairs, 2), generator=g)
    feats = torch.stack([torch.randint(-5, 6, (batch, n_pairs), generator=g), torch.randint(0, 2, (batch, n_pairs), generator=g),
                         torch.randint(0, 3, (batch, n_pairs), generator=g)], -1)
    counts = torch.randint(0, n_spans, (batch, n_counts), generator=g)
    if n_counts > 1:
        counts[-1, -1] = -1  # padding, as collate_windows writes it
    return ids, mask, spans, pairs, feats, counts


def run_session(session, inputs: tuple[torch.Tensor, ...] | dict) -> dict:
    """Outputs by name for inputs given in INPUT_NAMES order (tensors or arrays) or by name."""
    if not isinstance(inputs, dict):
        inputs = dict(zip(INPUT_NAMES, inputs))
    feed = {k: (v.cpu().numpy() if isinstance(v, torch.Tensor) else v) for k, v in inputs.items()}
    return dict(zip(OUTPUT_NAMES, session.run(OUTPUT_NAMES, feed)))


def _max_diff(ref: tuple[torch.Tensor, ...], got: dict) -> float:
    return max(float((r.float() - torch.from_numpy(got[n])).abs().max()) if r.numel() else 0.0
               for r, n in zip(ref, OUTPUT_NAMES))


def _export(graph: nn.Module, args, path: Path, opset: int) -> None:
    export_module(graph, args, path, INPUT_NAMES, OUTPUT_NAMES, DYNAMIC_AXES, opset)


def export_onnx(model_folder: str | Path, out_dir: str | Path, opset: int = 17, quantize: bool = False,
                verify: bool = True) -> Path:
    """Write ``out_dir/model.onnx`` (+ ``model.int8.onnx`` with ``quantize``), config and tokenizer.

    With ``verify`` (default) the fp32 graph is run on inputs of other shapes than the traced ones
    and compared with PyTorch; more than FP32_TOLERANCE apart fails the export.
    Returns the path of model.onnx.
    """
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise ImportError("ONNX export needs the onnx extra: pip install 'conflict-ner[onnx]'") from exc
    from transformers import AutoTokenizer

    folder = Path(model_folder)
    model = load_for_export(folder)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / MODEL_FILE
    graph = ExportGraph(model).eval()  # the exporter restores the wrapper's mode on every submodule
    _export(graph, example_inputs(model.config), path, opset)
    graph.eval()

    meta: dict = {"opset": opset, "encoder": model.config.encoder_model_type, "inputs": INPUT_NAMES,
                  "outputs": OUTPUT_NAMES, "dynamic_axes": DYNAMIC_AXES,
                  "tags": [model.config.id2label[i] for i in range(model.config.num_labels)],
                  "outcome_labels": list(model.config.outcome_labels),
                  "relation_threshold": model.config.relation_threshold,
                  "relation_extra_threshold": getattr(model.config, "relation_extra_threshold", None),
                  "files": {}, "max_abs_diff": {}}
    check = example_inputs(model.config, batch=3, length=24, n_spans=4, n_pairs=3, n_counts=2, seed=1)
    with torch.no_grad():
        ref = graph(*check)
    if verify:
        diff = _max_diff(ref, run_session(load_session(path), check))
        meta["max_abs_diff"][MODEL_FILE] = diff
        if diff > FP32_TOLERANCE:
            raise RuntimeError(f"{path}: ONNX Runtime output differs from PyTorch by {diff:.3g} (> {FP32_TOLERANCE})")
    meta["files"][MODEL_FILE] = path.stat().st_size
    if quantize:
        qpath = quantize_onnx(path, out / INT8_FILE)
        meta["files"][INT8_FILE] = qpath.stat().st_size
        if verify:
            meta["max_abs_diff"][INT8_FILE] = _max_diff(ref, run_session(load_session(qpath), check))

    shutil.copy2(folder / "config.json", out / "config.json")
    AutoTokenizer.from_pretrained(str(folder)).save_pretrained(str(out))
    (out / "onnx.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def describe_size(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:.1f} MiB" if n_bytes >= 2**20 else f"{n_bytes / 1024:.1f} KiB"
