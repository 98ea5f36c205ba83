#!/usr/bin/env python
"""Convert a Label Studio JSON export into the spec's JSONL, checking every document.

    python scripts/convert_label_studio.py export.json out.jsonl
    python scripts/convert_label_studio.py export.json out.jsonl --skip-unannotated

On any problem nothing is written: every problem is printed (naming the task by its index in
the export and its Label Studio id) and the exit status is 1. The labeling config to use is in
docs/annotation_guide.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflict_ner.corpora.label_studio import convert_label_studio  # noqa: E402
from conflict_ner.document import write_jsonl  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="Label Studio export, JSON format (a list of tasks)")
    ap.add_argument("output", help="spec JSONL file to write")
    ap.add_argument("--text-key", default="text", help="task data field holding the article (default: text)")
    ap.add_argument("--skip-unannotated", action="store_true", help="pass over tasks with no annotation")
    ap.add_argument("--allow-missing-outcome", action="store_true", help="accept COUNT regions without an outcome")
    ap.add_argument("--no-trim", action="store_true",
                    help="report spaces/punctuation at region edges instead of dropping them")
    args = ap.parse_args(argv)
    try:
        export = json.loads(Path(args.input).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"{args.input}: cannot read a JSON export: {exc}", file=sys.stderr)
        return 1
    docs, problems = convert_label_studio(
        export, strict=False, text_key=args.text_key, trim=not args.no_trim,
        require_outcome=not args.allow_missing_outcome, skip_unannotated=args.skip_unannotated,
    )
    for p in problems:
        print(f"{args.input}: {p}", file=sys.stderr)
    n_ent = sum(len(d.entities) for d in docs)
    n_rel = sum(len(d.relations) for d in docs)
    print(f"{len(docs)} document(s) converted ({n_ent} entities, {n_rel} links), {len(problems)} problem(s)",
          file=sys.stderr)
    if problems:
        print("nothing written; fix the annotations in Label Studio and export again", file=sys.stderr)
        return 1
    write_jsonl(docs, args.output)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
