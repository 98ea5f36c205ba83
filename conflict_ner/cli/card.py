"""`conflict-ner card FOLDER --eval EVAL.json [--eval NAME=EVAL.json ...]`: write the model card."""

from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("card", help="write a model folder's README.md (model card) from evaluation JSON files")
    p.add_argument("folder", help="model folder")
    p.add_argument("--eval", action="append", default=[], metavar="[NAME=]EVAL.json",
                   help="an evaluation result of `conflict-ner evaluate --output-json` (repeatable; NAME defaults to its data)")
    p.add_argument("--output", default=None, help="where to write the card (default: FOLDER/README.md)")
    p.add_argument("--model-id", default=None, help="the Hub repository id, for the usage example")
    p.add_argument("--model-name", default=None, help="name in the card and model-index (default: from the id or folder)")
    p.add_argument("--base-model", default=None, help="Hub id of the base model (default: from the training config)")
    p.add_argument("--targets", default=None, metavar="TARGETS.yaml",
                   help="quality targets to report against the evaluations (see configs/targets.yaml)")
    p.add_argument("--train-config", default=None,
                   help="training config YAML (default: FOLDER/training_config.yaml or the run's config.yaml next to FOLDER)")
    p.add_argument("--limit", action="append", default=[], metavar="TEXT",
                   help="a known limit no evaluation file tells (repeatable; one bullet each under \"Known limits\")")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..hub.card import CardError, load_evals, write_card

    try:
        if not args.eval:
            raise CardError("give at least one --eval EVAL.json (write one with `conflict-ner evaluate --output-json`)")
        evals = load_evals(args.eval)
        path = write_card(args.folder, evals, args.output, model_name=args.model_name, model_id=args.model_id,
                          base_model=args.base_model, train_config=args.train_config, targets=args.targets,
                          limits=args.limit)
    except CardError as exc:
        print(f"conflict-ner card: {exc}", file=sys.stderr)
        return 1
    print(f"model card written to {path}")
    return 0
