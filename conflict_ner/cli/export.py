"""`conflict-ner export FOLDER --out DIR [--opset 17] [--int8]`: the whole model as one ONNX graph."""

from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("export", help="export a model folder to ONNX (encoder + all heads in one graph)")
    p.add_argument("folder", help="model folder saved by conflict-ner")
    p.add_argument("--out", required=True, help="output folder (model.onnx, config.json, tokenizer, onnx.json)")
    p.add_argument("--opset", type=int, default=17, help="ONNX opset (default: 17)")
    p.add_argument("--int8", action="store_true", help="also write model.int8.onnx (ONNX Runtime dynamic int8 quantization)")
    p.add_argument("--no-verify", action="store_true", help="skip running the exported graph against PyTorch")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        from ..onnx.export import INT8_FILE, UnsupportedModelError, describe_size, export_onnx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        print(f"conflict-ner export: {exc}", file=sys.stderr)
        return 1
    try:
        path = export_onnx(args.folder, args.out, opset=args.opset, quantize=args.int8, verify=not args.no_verify)
    except (UnsupportedModelError, ImportError, OSError, RuntimeError) as exc:
        print(f"conflict-ner export: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({describe_size(path.stat().st_size)})")
    if args.int8:
        q = path.with_name(INT8_FILE)
        print(f"wrote {q} ({describe_size(q.stat().st_size)})")
    return 0
