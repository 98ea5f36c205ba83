"""What runs the model behind the pipeline: one name per backend, chosen at load time.

    fp32       PyTorch, float32.
    bf16       PyTorch under bf16 autocast (CUDA; CPUs with AMX or AVX-512 BF16).
    int8       PyTorch dynamic quantization of every nn.Linear (CPU).
    onnx       ONNX Runtime runs the encoder in fp32, PyTorch the heads (CPU; needs onnxruntime).
    onnx-int8  the same with an int8 encoder graph.
    auto       bf16 on CUDA and on CPUs with native bf16, else fp32.

Measured with the whole pipeline (scripts/benchmark.py, docs/benchmarks.md: 25 texts, 12,767
tokens, 2 threads, nothing else running) on the 2-core AMD EPYC dev machine (AVX2, no
AVX-512/AMX); entity micro F1 on the real dev passages:

    backend     tokens/s  vs fp32  peak RSS  F1 real dev
    fp32          2,060    1.00     677 MB     0.7471
    onnx          1,817    0.88   1,103 MB     0.7471   (same outputs)
    onnx-int8     2,502    1.21   1,088 MB     0.7519   (project dev split: -2.7 points)
    int8          2,759    1.34     775 MB     0.6412
    bf16 autocast is 3-5x slower than fp32 on this CPU (no native bf16 instructions).

So "auto" stays fp32 on such CPUs, and the int8 backends are opt-in: they cost up to 2.7 (ONNX)
or 10.6 (PyTorch) F1 points on this model. PyTorch int8 loses most in the FFN down-projections,
whose GELU inputs carry outliers that fbgemm's 7-bit activation range clips (int8 on the
attention projections only cost nothing, for a smaller gain). A first encoder-only measurement
taken while a training job shared the two cores had ONNX Runtime fp32 1.6x faster than PyTorch;
alone on the machine it is slower, so only runs on an otherwise idle machine count.
"""

from __future__ import annotations

import copy
import importlib.util
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch is imported where it is used, so the CLI can list backends without it
    import torch
    from torch import nn

BACKENDS = ("auto", "fp32", "bf16", "int8", "onnx", "onnx-int8")
_ALIASES = {"float32": "fp32", "bfloat16": "bf16", "qint8": "int8", "onnx-fp32": "onnx", "ort": "onnx", "ort-int8": "onnx-int8"}
CPU_ONLY = ("int8", "onnx", "onnx-int8")
BACKEND_HELP = ("backend: auto (bf16 on CUDA and AMX/AVX-512 BF16 CPUs, else fp32), fp32, bf16, int8, onnx, "
                "onnx-int8 (the int8 ones: faster, less accurate; see docs/benchmarks.md)")


def cpu_supports_bf16() -> bool:
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def onnx_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def choose_backend(device: torch.device | str = "cpu") -> str:
    """What "auto" means on ``device``."""
    import torch

    device = torch.device(device)
    if device.type == "cuda" or (device.type == "cpu" and cpu_supports_bf16()):
        return "bf16"
    return "fp32"


def resolve_backend(choice: str | torch.dtype | None, device: torch.device | str = "cpu") -> str:
    """The backend name for a user's choice (a name, an alias, a torch dtype, None for auto)."""
    import torch

    device = torch.device(device)
    if isinstance(choice, torch.dtype):
        dtypes = {torch.float32: "fp32", torch.bfloat16: "bf16", torch.qint8: "int8"}
        if choice not in dtypes:
            raise ValueError(f"compute dtype {choice} is not supported; use one of {', '.join(BACKENDS)}")
        name = dtypes[choice]
    elif choice in (None, "auto"):
        return choose_backend(device)
    else:
        name = _ALIASES.get(choice, choice)
        if name not in BACKENDS:
            raise ValueError(f"compute dtype / backend must be one of {', '.join(BACKENDS)}; got {choice!r}")
    if name in CPU_ONLY and device.type != "cpu":
        raise ValueError(f"{name} runs on CPU only; use bf16 or fp32 on {device}")
    if name.startswith("onnx") and not onnx_available():
        raise ImportError(f"the {name} backend needs ONNX Runtime: pip install 'conflict-ner[onnx]'")
    return name


def autocast_dtype(backend: str) -> torch.dtype:
    """The dtype the engine autocasts to for ``backend`` (float32: no autocast)."""
    import torch

    return torch.bfloat16 if backend == "bf16" else torch.float32


def load_backend(model: nn.Module, backend: str) -> nn.Module:
    """The model as ``backend`` runs it: the model itself (fp32, bf16: autocast is the engine's),
    a quantized deep copy (int8), or an ONNX Runtime wrapper (onnx, onnx-int8)."""
    if backend in ("fp32", "bf16"):
        return model
    if backend == "int8":
        return int8_copy(model)
    if backend in ("onnx", "onnx-int8"):
        from .onnx.runtime import OnnxRuntimeModel

        return OnnxRuntimeModel(model, int8=backend == "onnx-int8")
    raise ValueError(f"no such backend {backend!r}; use one of {', '.join(BACKENDS[1:])}")


def int8_copy(model: nn.Module) -> nn.Module:
    """A deep copy in which every nn.Linear (encoder and heads) is torch's dynamic int8 Linear:
    per-channel int8 weights, activations quantized per call, fbgemm/x86 kernels; CPU only.
    Embeddings and LayerNorms stay fp32; the original model is untouched. Per-channel weights run
    as fast as per-tensor ones and moved a trained e5-small model's entities far less (measured:
    agreement with fp32 0.81 vs 0.70 entity F1)."""
    import torch
    from torch import nn
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    q = copy.deepcopy(model).float().eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch >= 2.10 marks quantized tensors deprecated; they still run
        return quantize_dynamic(q, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True)
