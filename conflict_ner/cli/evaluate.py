"""`conflict-ner evaluate`: score a model on annotated JSONL or a corpus split, by the spec's rules.

Prints a summary of about twenty lines on stdout (the end of it is what a terminal, or the
repository's stop hook, shows), writes the full result as JSON and a Markdown report on
request, and with ``--fail-under`` exits 1 naming every threshold not met.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..backends import BACKEND_HELP, BACKENDS


def add_parser(sub):
    p = sub.add_parser("evaluate", help="score a model on annotated documents (entities, side links, counts)")
    p.add_argument("--model", default=None, help="model folder or Hub id (default: the built-in model)")
    p.add_argument("--data", default=None,
                   help="a JSONL file in the spec's format, or CORPUS[:split] (conflict, conflict_real_dev, anercorp:test ...); "
                        "default: <data root>/conflict/dev.jsonl, the real dev passages")
    p.add_argument("--output-json", default=None, help="write the full result here")
    p.add_argument("--output-md", default=None, help="write a Markdown report here")
    p.add_argument("--fail-under", default=None, metavar="NAME=VALUE,...",
                   help="exit 1 if a metric is below its threshold, e.g. entity_f1=0.8,count_f1=0.9,rel_plus=0.7. Names: "
                        "entity_f1, entity_macro_f1, <label>_f1 (count_f1, actor_f1 ...), seqeval_f1, rel (Rel: given the gold "
                        "entities, by side), rel_mention, rel_plus (Rel+: end to end, by mention), rel_plus_side, "
                        "outcome_accuracy, value_accuracy, parse_coverage, or a dotted path into the JSON")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--dtype", choices=BACKENDS, default="auto", help=BACKEND_HELP)
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cpu)")
    p.add_argument("--errors", type=int, default=20, help="false positives / negatives kept per kind (default 20)")
    p.set_defaults(func=run)


class DataError(Exception):
    pass


def load_data(spec: str | None) -> tuple[list, str, tuple[str, ...] | None]:
    """(documents, name, labels the data annotates or None for all) from a path or CORPUS[:split]."""
    from ..corpora.registry import CorpusNotFoundError, data_root, load_corpus, splits
    from ..document import ValidationError, read_jsonl

    if spec is None:
        spec = str(data_root() / "conflict" / "dev.jsonl")
    path = Path(spec)
    if path.is_file():
        try:
            return read_jsonl(path), str(path), None
        except ValidationError as exc:
            raise DataError(f"{path}: {exc}") from None
    name, _, split = spec.partition(":")
    if path.suffix == ".jsonl" or "/" in spec:
        raise DataError(f"{spec}: no such file")
    try:
        split = split or ("dev" if "dev" in splits(name) else "test")
        corpus = load_corpus(name, split)
    except (KeyError, ValueError, CorpusNotFoundError) as exc:
        raise DataError(str(exc.args[0]) if exc.args else str(exc)) from None
    return corpus.documents, f"{name}:{split}", tuple(corpus.annotates)


def run(args) -> int:
    from ..evaluation.evaluate import METRICS, check_thresholds, evaluate, parse_thresholds
    from ..evaluation.report import summary, write_json, write_markdown

    try:
        thresholds = parse_thresholds(args.fail_under) if args.fail_under else {}
        unknown = [n for n in thresholds if n not in METRICS and "." not in n]
        if unknown:
            raise ValueError(f"unknown metric(s) {', '.join(unknown)}; known: {', '.join(METRICS)} (or a dotted path into the JSON)")
    except ValueError as exc:
        print(f"conflict-ner evaluate: --fail-under: {exc}", file=sys.stderr)
        return 2
    try:
        docs, name, labels = load_data(args.data)
    except DataError as exc:
        print(f"conflict-ner evaluate: {exc}", file=sys.stderr)
        return 1
    if not docs:
        print(f"conflict-ner evaluate: {name} holds no documents", file=sys.stderr)
        return 1
    try:
        result = evaluate(args.model, docs, args.batch_size, args.dtype, device=args.device, labels=labels,
                          data_name=name, n_errors=args.errors)
    except (OSError, ValueError) as exc:
        print(f"conflict-ner evaluate: cannot evaluate model {args.model or '(built-in)'}: {exc}", file=sys.stderr)
        return 1
    try:
        failed = check_thresholds(result, thresholds)
    except KeyError as exc:
        print(f"conflict-ner evaluate: --fail-under: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.output_json:
        write_json(result, args.output_json)
    if args.output_md:
        write_markdown(result, args.output_md, f"Evaluation of {result['meta']['model']} on {name}")
    sys.stdout.write(summary(result, failed, thresholds))
    sys.stdout.flush()
    if failed:
        names = ", ".join(f"{n} ({'not measured' if v is None else f'{v:.4f}'} < {b:g})" for n, v, b in failed)
        print(f"conflict-ner evaluate: {len(failed)} threshold(s) not met: {names}", file=sys.stderr)
        return 1
    return 0
