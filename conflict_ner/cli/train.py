"""`conflict-ner train CONFIG.yaml`: run a training config (see configs/)."""

from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("train", help="train a model from a YAML config")
    p.add_argument("config")
    p.add_argument("--output-dir", default=None, help="override output_dir")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--stages", type=int, default=None, help="run only the first N stages (a re-run resumes)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..training.args import ConfigError, load_config
    from ..training.trainer import train

    overrides = {k: v for k, v in (("output_dir", args.output_dir), ("seed", args.seed)) if v is not None}
    try:
        cfg = load_config(args.config, overrides)
        train(cfg, progress=not args.no_progress, max_stages=args.stages)
    except ConfigError as exc:
        print(f"conflict-ner train: {exc}", file=sys.stderr)
        return 1
    return 0
