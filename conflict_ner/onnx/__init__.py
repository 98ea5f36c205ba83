"""ONNX export of a whole conflict-ner model (encoder, tag classifier, relation and outcome heads).

Needs the optional extra: ``pip install conflict-ner[onnx]``.
"""

from __future__ import annotations

from .export import (
    DYNAMIC_AXES,
    INPUT_NAMES,
    OUTPUT_NAMES,
    SUPPORTED_ENCODERS,
    ExportGraph,
    UnsupportedModelError,
    check_supported,
    export_onnx,
)

__all__ = [
    "DYNAMIC_AXES", "INPUT_NAMES", "OUTPUT_NAMES", "SUPPORTED_ENCODERS", "ExportGraph", "UnsupportedModelError",
    "check_supported", "export_onnx",
]
