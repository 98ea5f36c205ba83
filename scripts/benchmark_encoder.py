#!/usr/bin/env python
"""Encoder tokens/s of each backend on one fixed batch, backends interleaved rep by rep (so load from
other processes hits them alike); the table in conflict_ner/backends.py comes from this script.

    python scripts/benchmark_encoder.py [--model FOLDER] [--backends fp32,int8,onnx,onnx-int8]
                                        [--batch 16] [--length 128] [--reps 5]

Accuracy is not measured here: scripts/benchmark.py and `conflict-ner evaluate --dtype NAME` do that.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / "conflict_ner/default_model"))
    ap.add_argument("--backends", default="fp32,int8,onnx,onnx-int8")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--length", type=int, default=128)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args(argv)

    import torch

    from conflict_ner.backends import load_backend, resolve_backend
    from conflict_ner.modeling.model import ConflictNerModel

    model = ConflictNerModel.from_pretrained(args.model, dtype=torch.float32).eval()
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(5, model.config.vocab_size, (args.batch, args.length), generator=g)
    mask = torch.ones_like(ids)
    runners = {}
    for name in args.backends.split(","):
        backend = resolve_backend(name)
        m = load_backend(model, backend)
        ctx = torch.autocast("cpu", dtype=torch.bfloat16) if backend == "bf16" else None

        def run(m=m, ctx=ctx):
            with torch.inference_mode():
                if ctx is None:
                    return m.encoder(input_ids=ids, attention_mask=mask)
                with ctx:
                    return m.encoder(input_ids=ids, attention_mask=mask)

        run()  # warm-up
        runners[name] = run
    times: dict[str, list[float]] = {b: [] for b in runners}
    for _ in range(args.reps):
        for name, run in runners.items():
            t = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t)
    n = args.batch * args.length
    base = statistics.median(next(iter(times.values())))
    print(f"{args.batch} x {args.length} tokens, {torch.get_num_threads()} threads, median of {args.reps}")
    print(f"| backend | tokens/s | vs {next(iter(times))} |\n|---|--:|--:|")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"| {name} | {n / med:,.0f} | {base / med:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
