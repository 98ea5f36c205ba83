"""ONNX Runtime as a backend of the extraction engine.

The encoder is exported once per set of weights (``encoder_graph``, cached under
``$CONFLICT_NER_CACHE/onnx/<weights hash>/``, or
``$CONFLICT_NER_ONNX_CACHE/<weights hash>/``) and run by ONNX Runtime; the tag classifier and
the span heads stay in PyTorch, because the engine decodes tags before it knows which spans the
heads score, and they are under 1% of the compute. ``OnnxRuntimeModel`` offers the engine the
same entry points as the model (``encoder``, ``classifier``, ``span_heads``, ``config``).

Measured (docs/benchmarks.md, whole pipeline, 2-core AVX2 machine): onnx 0.88x and onnx-int8
1.21x the tokens/s of PyTorch fp32, each with ~400 MB more peak RSS; see conflict_ner/backends.py.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import logging
import os
import warnings
from pathlib import Path

import torch
from torch import nn
from transformers.modeling_outputs import BaseModelOutput

from .cn_cache import cache_root

ENCODER_FILE = "encoder.onnx"
ENCODER_INT8_FILE = "encoder.int8.onnx"


def export_module(module: nn.Module, args: tuple, path: str | Path, input_names: list[str], output_names: list[str],
                  dynamic_axes: dict, opset: int = 17) -> Path:
    """``torch.onnx.export`` with the TorchScript exporter (needs no onnxscript), written atomically."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    kwargs = dict(input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes,
                  opset_version=opset, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings on shape checks that hold for every input
        torch.onnx.export(module, args, str(tmp), **kwargs)
    os.replace(tmp, path)
    return path


def quantize_onnx(src: str | Path, dst: str | Path) -> Path:
    """Dynamic int8 quantization of every MatMul and Gather: per-channel int8 weights, uint8
    activations quantized per call. ``reduce_range`` (7-bit weights) because the u8s8 kernels of CPUs
    without VNNI (AVX2, plain AVX-512) saturate otherwise: a tiny model's logits moved ~20% of their
    range without it, ~2.5% with it. ``per_channel`` costs no speed and, on a trained e5-small model,
    raised token-tag agreement with fp32 from 93.5% to 98.3% (measured, 16 windows of dev texts)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    dst = Path(dst)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer logs a "consider pre-processing" hint on every call
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, reduce_range=True, per_channel=True)
    finally:
        root.setLevel(level)
    os.replace(tmp, dst)
    return dst


def load_session(path: str | Path, threads: int | None = None):
    """An ONNX Runtime CPU session (``threads`` intra-op threads; default: the runtime's choice)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


def weights_key(module: nn.Module) -> str:
    """A digest of the module's parameters and buffers (names, shapes, values): the cache key."""
    h = hashlib.sha256()
    for name, t in sorted(module.state_dict().items()):
        t = t.detach().float().cpu().contiguous()
        h.update(f"{name}{tuple(t.shape)}".encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()[:20]


class _Encoder(nn.Module):
    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids, attention_mask):
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def encoder_graph(model: nn.Module, int8: bool = False, cache: str | Path | None = None) -> Path:
    """The model's encoder as an ONNX file (int8 with ``int8``), exported on first use and cached."""
    encoder = model.encoder
    root = os.environ.get("CONFLICT_NER_ONNX_CACHE") or cache_root() / "onnx"
    folder = Path(cache) if cache is not None else Path(root) / weights_key(encoder)
    folder.mkdir(parents=True, exist_ok=True)
    fp32 = folder / ENCODER_FILE
    if not fp32.is_file():
        cfg = model.config
        # A padded row keeps the attention-mask path in the trace.
        ids = torch.randint(5, cfg.vocab_size, (2, 12), generator=torch.Generator().manual_seed(0))
        mask = torch.ones_like(ids)
        mask[-1, 6:] = 0
        axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                "last_hidden_state": {0: "batch", 1: "tokens"}}
        # Traced in fp32 on a copy, so the caller's model keeps its dtype and mode.
        export_module(_Encoder(copy.deepcopy(encoder)).float().eval(), (ids, mask), fp32,
                      ["input_ids", "attention_mask"], ["last_hidden_state"], axes)
    if not int8:
        return fp32
    q = folder / ENCODER_INT8_FILE
    return q if q.is_file() else quantize_onnx(fp32, q)


class OnnxRuntimeModel(nn.Module):
    """The model for the engine, its encoder run by ONNX Runtime (CPU), its heads by PyTorch."""

    def __init__(self, model: nn.Module, int8: bool = False, threads: int | None = None):
        super().__init__()
        self.model = model  # heads, config and device
        self.int8 = int8
        self.path = encoder_graph(model, int8=int8)
        self.session = load_session(self.path, threads or torch.get_num_threads())

    @property
    def config(self):
        return self.model.config

    @property
    def classifier(self) -> nn.Module:
        return self.model.classifier

    def span_heads(self, *args, **kwargs):
        return self.model.span_heads(*args, **kwargs)

    def encoder(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> BaseModelOutput:
        feed = {"input_ids": input_ids.cpu().numpy(), "attention_mask": attention_mask.cpu().numpy()}
        hidden = self.session.run(["last_hidden_state"], feed)[0]
        return BaseModelOutput(last_hidden_state=torch.from_numpy(hidden))
