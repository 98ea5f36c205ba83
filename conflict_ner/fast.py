"""The fastest way to run a model on this machine: fp32, bf16 autocast, or dynamic int8.

``make_fast(model, backend="auto") -> (model_or_wrapper, description)``; the result drops into
``Extractor`` (it has ``encoder``, ``classifier``, ``span_heads`` and ``config``) with
``dtype=torch.float32``. ``pipeline("conflict-extraction", model=folder, compute_dtype="int8")``
does the int8 case for you and caches the quantized copy on the pipeline.

backends
    fp32   the model as it is.
    bf16   bf16 autocast around every call (fast only with AMX / AVX-512 BF16 or on CUDA).
    int8   torch dynamic quantization (``torch.ao.quantization.quantize_dynamic``) of every
           nn.Linear -- encoder and heads -- on a deep copy; fbgemm/x86 kernels, CPU only.
    auto   bf16 on CUDA or where ``cpu_supports_bf16()``; otherwise ``AUTO_WITHOUT_BF16``.

Measured on the development machine (AMD EPYC, AVX2 + FMA, no AVX-512 / AMX / VNNI, 2 cores;
torch 2.13 CPU, onnxruntime 1.32, 2 threads each; ``nice -n 19`` beside a training run holding both
cores, so absolute numbers are low and drift by up to 2x between runs -- backends were interleaved
rep by rep and the ratios are the meaningful part). Encoder forward, batch 16 x 128 random ids,
1 warm-up + 3 reps, median tokens/s (``benchmark`` for torch; ``conflict_ner.onnx`` sessions for ORT):

    =====================  ==========  ==========  ==========  ==========
    encoder                torch fp32  torch int8  ORT fp32    ORT int8
    =====================  ==========  ==========  ==========  ==========
    tiny (2 x 32, tests)   6,300       8,900       87,000      81,000
    multilingual-e5-small  790         1,180       1,170       1,460
    =====================  ==========  ==========  ==========  ==========

(The tiny model is bound by Python/dispatch overhead, so only the e5 row says anything about
kernels; a heavier-loaded e5 run gave 360-390 fp32 vs 500-570 int8, the same 1.3-1.6x.) bf16
autocast was 3-5x slower than fp32 on this CPU (measured before this module existed).

Accuracy of int8, same batch: cosine of the last hidden state with fp32, mean (min) over tokens:
torch int8 0.964 (0.896), ORT int8 0.990 (0.976); ORT fp32 is exact (max |diff| 2e-6). On the
trained stage-1 model (runs/default/after-stage1, e5-small) over 40 dev texts, end to end through
the pipeline: fp32 15.8 s, int8 10.7 s (1.47x); int8 entities agree with fp32 at F1 0.82 and the F1
against gold fell from 0.271 to 0.234. The whole exported graph on 16 windows x 217 tokens: torch
fp32 ~860 tokens/s, ORT fp32 1,090, ORT int8 1,530 with 98.3% of token tags equal to fp32.

So int8 is faster here (1.5x torch, 1.85x ORT) and ``auto`` picks it on CPUs without native bf16,
but dynamic int8 is *not* free in accuracy on e5-small: check a model with
``conflict-ner evaluate`` before serving it int8. The pipeline's own ``compute_dtype="auto"``
stays bf16-or-fp32; int8 there is opt-in (``compute_dtype="int8"``).

The quantized copy shares nothing with the original, so both can be kept. Quantized tensors are
marked deprecated from torch 2.10 on (they still run in the supported torch < 2.14); the ONNX
route (``conflict-ner export --int8``) does not depend on them.
"""

from __future__ import annotations

import contextlib
import statistics
import time

import torch
from torch import nn

from .inference import cpu_supports_bf16
from .pipeline import int8_copy

BACKENDS = ("auto", "fp32", "bf16", "int8")
# What "auto" picks on a CPU without native bf16, from the measurements above.
AUTO_WITHOUT_BF16 = "int8"


class _Autocast(nn.Module):
    def __init__(self, module: nn.Module, dtype: torch.dtype):
        super().__init__()
        self.module = module
        self.dtype = dtype

    def _ctx(self):
        dev = next(self.module.parameters()).device.type
        return torch.autocast(dev, dtype=self.dtype)

    def forward(self, *args, **kwargs):
        with self._ctx():
            return self.module(*args, **kwargs)


class AutocastModel(nn.Module):
    """The model with every entry point the engine uses (encoder, classifier, span_heads, forward)
    run under autocast; weights untouched."""

    def __init__(self, model: nn.Module, dtype: torch.dtype = torch.bfloat16):
        super().__init__()
        self.model = model
        self.dtype = dtype
        self.encoder = _Autocast(model.encoder, dtype)
        self.classifier = _Autocast(model.classifier, dtype)

    @property
    def config(self):
        return self.model.config

    def span_heads(self, *args, **kwargs):
        with torch.autocast(next(self.model.parameters()).device.type, dtype=self.dtype):
            return self.model.span_heads(*args, **kwargs)

    def forward(self, *args, **kwargs):
        with torch.autocast(next(self.model.parameters()).device.type, dtype=self.dtype):
            return self.model(*args, **kwargs)


def choose_backend(device: torch.device | str = "cpu") -> str:
    """What "auto" means on ``device``."""
    device = torch.device(device)
    if device.type == "cuda" or (device.type == "cpu" and cpu_supports_bf16()):
        return "bf16"
    return AUTO_WITHOUT_BF16 if device.type == "cpu" else "fp32"


def make_fast(model: nn.Module, backend: str = "auto") -> tuple[nn.Module, str]:
    """(model or wrapper, one-line description of what runs). int8 returns a quantized deep copy."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
    device = next(model.parameters()).device
    chosen = choose_backend(device) if backend == "auto" else backend
    why = f" (auto on {_cpu_name() if device.type == 'cpu' else device})" if backend == "auto" else ""
    if chosen == "fp32":
        return model, f"fp32 PyTorch on {device}{why}"
    if chosen == "bf16":
        return AutocastModel(model, torch.bfloat16), f"bf16 autocast on {device}{why}"
    if device.type != "cpu":
        raise ValueError(f"int8 (dynamic quantization) runs on CPU only; the model is on {device}")
    q = int8_copy(model)
    n = sum(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in q.modules())
    return q, f"int8 dynamic quantization of {n} Linear layers (torch, {torch.backends.quantized.engine} engine){why}"


def _cpu_name() -> str:
    flags = "AMX/AVX-512 BF16" if cpu_supports_bf16() else "no native bf16"
    return f"cpu, {flags}"


def _encoder_of(model: nn.Module) -> nn.Module:
    return getattr(model, "encoder", model) if hasattr(model, "config") and hasattr(model, "classifier") else model


def time_forward(fn, reps: int = 3, warmup: int = 1) -> float:
    """Median seconds of ``fn()`` over ``reps`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def benchmark(model: nn.Module, backends=("fp32", "int8"), batch: int = 16, length: int = 128, reps: int = 3,
              seed: int = 0) -> dict[str, float]:
    """Encoder tokens/s per backend on random ids (a ConflictNerModel's encoder, or any encoder
    module such as ``AutoModel.from_pretrained(path, add_pooling_layer=False)``). Backends are
    interleaved rep by rep so that load from other processes hits them alike."""
    vocab = model.config.vocab_size
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, vocab, (batch, length), generator=g)
    mask = torch.ones_like(ids)
    runners = {}
    for b in backends:
        enc = _encoder_of(int8_copy(model) if b == "int8" else model)
        ctx = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if b == "bf16" else contextlib.nullcontext

        def run(enc=enc, ctx=ctx):
            with torch.inference_mode(), ctx():
                enc(input_ids=ids, attention_mask=mask)

        runners[b] = run
    for run in runners.values():
        run()  # warm-up
    times: dict[str, list[float]] = {b: [] for b in runners}
    for _ in range(reps):
        for b, run in runners.items():
            times[b].append(time_forward(run, reps=1, warmup=0))
    return {b: batch * length / statistics.median(t) for b, t in times.items()}
