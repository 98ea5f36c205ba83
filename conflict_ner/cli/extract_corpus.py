"""`conflict-ner extract-corpus`: a whole corpus into resumable output shards, on one or several processes.

Several processes: `accelerate launch --num_processes N -m conflict_ner.cli.main extract-corpus ...`;
each process writes its own shards, and with --merge rank 0 merges them after all have finished.
"""

from __future__ import annotations

import sys

from ..backends import BACKEND_HELP, BACKENDS


def add_parser(sub):
    p = sub.add_parser("extract-corpus", help="extract a whole corpus into resumable shards (one or several processes)")
    p.add_argument("source", help="JSONL or Parquet file, a folder of them, a save_to_disk folder, or a Hub dataset id")
    p.add_argument("--out", required=True, help="output folder for part-RANK-K.jsonl shards and the manifests")
    p.add_argument("--model", default=None, help="model folder or Hub id (default: the built-in model)")
    p.add_argument("--shard-size", type=int, default=1000, help="records per output shard (default: 1000)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--text-field", default="text")
    p.add_argument("--id-field", default="id")
    p.add_argument("--split", default="train", help="split of a saved DatasetDict or Hub dataset (default: train)")
    p.add_argument("--merge", default=None, metavar="OUTPUT.jsonl", help="merge all shards into this file, in input order")
    p.add_argument("--no-resume", action="store_true", help="discard earlier shards in --out instead of resuming")
    p.add_argument("--dtype", choices=BACKENDS, default="auto", help=BACKEND_HELP)
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: the process's accelerate device)")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..scale import CorpusError, extract_corpus, merge_shards, process_context

    prog = "conflict-ner extract-corpus"
    if args.shard_size < 1 or args.batch_size < 1:
        print(f"{prog}: --shard-size and --batch-size must be >= 1", file=sys.stderr)
        return 2
    rank, world, state = process_context()
    tag = f"{prog} [rank {rank}/{world}]" if world > 1 else prog
    try:
        from ..defaults import load_pipeline

        device = args.device if args.device is not None else (state.device if state is not None else None)
        try:
            pipe = load_pipeline(args.model, device=device, compute_dtype=args.dtype)
        except (OSError, ValueError, ImportError) as exc:
            print(f"{tag}: cannot load model {args.model or '(built-in)'}: {exc}", file=sys.stderr)
            return 1
        if device is not None:
            # Once a process group exists, transformers pipelines keep the model where it was loaded
            # (the CPU) whatever `device` says; put each process's copy on its own device.
            import torch

            device = torch.device(device)
            if pipe.model.device != device:
                pipe.model.to(device)
            pipe.device = device
        try:
            pipe.backend  # noqa: B018  (resolves the backend now: an onnx one exports its graph once)
        except (ValueError, ImportError) as exc:
            print(f"{tag}: {exc}", file=sys.stderr)
            return 1
        try:
            summary = extract_corpus(pipe, args.source, args.out, shard_size=args.shard_size, batch_size=args.batch_size,
                                     rank=rank, world_size=world, resume=not args.no_resume, progress=not args.no_progress,
                                     text_field=args.text_field, id_field=args.id_field, split=args.split)
        except CorpusError as exc:
            print(f"{tag}: {exc}", file=sys.stderr)
            return 1
        print(f"{tag}: {summary['records']} record(s) in {len(summary['shards'])} shard(s) "
              f"({summary['written']} written, {summary['skipped']} already done) on {pipe.model.device} in {args.out}", file=sys.stderr)
        if world > 1:
            state.wait_for_everyone()
        if args.merge and rank == 0:
            try:
                n = merge_shards(args.out, args.merge)
            except CorpusError as exc:
                print(f"{tag}: merge: {exc}", file=sys.stderr)
                return 1
            print(f"{tag}: merged {n} record(s) into {args.merge}", file=sys.stderr)
        return 0
    finally:
        if world > 1 and hasattr(state, "destroy_process_group"):
            state.destroy_process_group()
