#!/usr/bin/env python
"""Speed, memory and F1 of the backends on the same texts, in one run; writes docs/benchmarks.md.

    python scripts/benchmark.py [--model FOLDER] [--reps 3] [--long 2] [--huge]

Texts: the real dev passages (<data root>/conflict/dev.jsonl) and long articles made for the
benchmark by joining the project's own documents (data/conflict/dev.jsonl). Backends:
  (a) plain pipeline("token-classification", aggregation_strategy="first"), one text at a time,
      its own truncation (the baseline every ratio is taken against);
  (b) pipeline("conflict-extraction"), PyTorch fp32;
  (c) the fast path: pipeline("conflict-extraction", compute_dtype="auto") (bf16 on AMX/AVX-512
      BF16 CPUs, else fp32), and each explicit backend named in --backends (fp32, bf16, int8, onnx,
      onnx-int8; see conflict_ner/backends.py).
Each backend runs in its own process (so peak RSS is its own), one warm-up, then --reps timed
repetitions: medians with min-max. --huge adds one 200 KB article through --huge-backends for
peak RSS. "load s" is the pipeline's construction plus its first call (the onnx backends export
and cache the encoder graph then, unless it is cached already).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def long_articles(n: int, chars: int) -> list[str]:
    docs = [json.loads(line)["text"] for line in open(ROOT / "data/conflict/dev.jsonl", encoding="utf-8")]
    out, k = [], 0
    for _ in range(n):
        parts, size = [], 0
        while size < chars:
            parts.append(docs[k % len(docs)])
            size += len(parts[-1]) + 2
            k += 1
        out.append("\n\n".join(parts))
    return out


def worker(backend: str, model: str, reps: int, n_long: int, huge: bool) -> dict:
    """Runs inside a fresh process: load, warm up, time, score."""
    import torch

    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", torch.get_num_threads())))
    from transformers import AutoTokenizer, pipeline

    import conflict_ner  # noqa: F401
    from conflict_ner.corpora.registry import data_root
    from conflict_ner.document import read_jsonl
    from conflict_ner.evaluation.spans import entity_scores

    gold = read_jsonl(data_root() / "conflict" / "dev.jsonl")
    texts = [d.text for d in gold] + long_articles(n_long, 10_000)
    if huge:
        texts = long_articles(1, 200_000)
    tok = AutoTokenizer.from_pretrained(model)
    n_tokens = sum(len(tok(t, add_special_tokens=False, verbose=False)["input_ids"]) for t in texts)
    t_load = time.perf_counter()
    encoded = n_tokens
    if backend == "plain":
        pipe = pipeline("token-classification", model=model, aggregation_strategy="first")
        # What it really runs through the model: its own truncation at the tokenizer's maximum.
        encoded = sum(len(pipe.tokenizer(t, truncation=True, verbose=False)["input_ids"]) - 2 for t in texts)

        def run():
            return [pipe(t) for t in texts]

        def entities(out):
            return [[{"label": e["entity_group"], "start": e["start"], "end": e["end"]} for e in o] for o in out]
    else:
        pipe = pipeline("conflict-extraction", model=model, compute_dtype=backend)

        def run():
            return pipe(texts, batch_size=16)

        def entities(out):
            return [o["entities"] for o in out]
    t0 = time.perf_counter()
    out = run()  # warm-up
    warm = time.perf_counter() - t0
    load_s = time.perf_counter() - t_load
    times = []
    for _ in range(0 if huge else reps):
        t0 = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t0)
    if huge:
        times = [warm]
    res = {"backend": backend, "texts": len(texts), "tokens": n_tokens, "encoded_tokens": encoded, "times": times,
           "load_s": load_s,
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if hasattr(pipe, "backend"):
        res["engine"] = pipe.backend
    if not huge:
        pred = entities(out)[: len(gold)]
        res["dev_f1"] = entity_scores(gold, pred)["micro"]["f1"]
    return res


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    isa = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16") if f" {f}" in flags]
    return f"{cpu}, {os.cpu_count()} cores, {'/'.join(isa) or 'no AVX2'}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / "conflict_ner/default_model"))
    ap.add_argument("--backends", default="plain,fp32,auto")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--long", type=int, default=2, help="long articles of about 10 KB each")
    ap.add_argument("--huge", action="store_true", help="also one 200 KB article through --huge-backends, for peak RSS")
    ap.add_argument("--huge-backends", default="fp32,auto")
    ap.add_argument("--out", default=str(ROOT / "docs/benchmarks.md"))
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.model, args.reps, args.long, args.huge)))
        return 0
    rows = []
    jobs = [(b, False) for b in args.backends.split(",")] + ([(b, True) for b in args.huge_backends.split(",")] if args.huge else [])
    for backend, huge in jobs:
        cmd = [sys.executable, __file__, "--worker", backend, "--model", args.model, "--reps", str(args.reps), "--long", str(args.long)]
        cmd += ["--huge"] if huge else []
        print("+", " ".join(cmd), file=sys.stderr, flush=True)
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode:
            print(p.stderr[-3000:], file=sys.stderr)
            rows.append({"backend": backend, "error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "failed", "huge": huge})
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        r["huge"] = huge
        rows.append(r)
        print(json.dumps(r), file=sys.stderr, flush=True)
    base = next((r for r in rows if r["backend"] == "plain" and "times" in r), None)
    lines = ["# Benchmarks", "", f"Machine: {machine()}; torch {__import__('torch').__version__}, "
             f"{__import__('torch').get_num_threads()} threads. Command: `python scripts/benchmark.py {' '.join(argv or sys.argv[1:])}`.", "",
             "| backend | texts | tokens | tokens encoded | tokens/s (median, min-max) | docs/s | × plain | load s | peak RSS MB | dev entity micro F1 |",
             "|---|--:|--:|--:|---|--:|--:|--:|--:|--:|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['backend']} | failed: {r['error'][:120]} | | | | | | | | |")
            continue
        med = statistics.median(r["times"])
        tps = [r["tokens"] / t for t in r["times"]]
        ratio = (statistics.median(r["times"]) and (statistics.median(base["times"]) / med)) if base and not r["huge"] else None
        name = r["backend"] + (f" ({r['engine']})" if r.get("engine") else "") + (" — one 200 KB article" if r["huge"] else "")
        lines.append(f"| {name} | {r['texts']} | {r['tokens']} | {r.get('encoded_tokens', r['tokens'])} | "
                     f"{r['tokens'] / med:,.0f} ({min(tps):,.0f}–{max(tps):,.0f}) | "
                     f"{r['texts'] / med:.2f} | {'' if ratio is None else f'{ratio:.2f}'} | {r.get('load_s', 0):.1f} | "
                     f"{r['peak_rss_mb']:.0f} | {r.get('dev_f1', '')} |")
    lines += ["", "Texts: the 23 real dev passages of `conflict/dev.jsonl` plus long articles joined from the project's "
              "own dev documents. tokens/s is always the texts' tokens over the wall time. The plain pipeline runs with its own "
              "defaults: it truncates texts longer than 512 tokens (\"tokens encoded\" is what it really ran through the model) and "
              "gives only tags (no counts, links or casualty records); the F1 column is entity micro F1 on the 23 dev passages "
              "(spec scoring)."]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
