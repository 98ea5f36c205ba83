#!/usr/bin/env python
"""Print a Markdown table of every corpus split: sentences (documents), entities per schema
label after mapping ("—" where the corpus does not annotate the label), BIO repairs, spans
trimmed to word edges, spans dropped.

    python scripts/corpus_stats.py                      # every corpus and split
    python scripts/corpus_stats.py anercorp wojood      # some corpora
    python scripts/corpus_stats.py --per-file aqmar     # also repairs etc. per file
    python scripts/corpus_stats.py --root /data/copy    # data root when CONFLICT_NER_DATA is unset
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflict_ner.corpora.registry import CorpusNotFoundError, all_corpora, load_corpus, splits  # noqa: E402
from conflict_ner.schema import ENTITY_LABELS  # noqa: E402

COUNTERS = ("repairs", "trimmed", "dropped")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="*", help=f"default: all ({', '.join(all_corpora())})")
    ap.add_argument("--root", help="data root (CONFLICT_NER_DATA wins if set)")
    ap.add_argument("--per-file", action="store_true", help="a second table per file")
    ap.add_argument("--all-split", action="store_true", help="also the 'all' split of each CoNLL corpus")
    args = ap.parse_args(argv)

    head = ["corpus", "split", "sentences", *ENTITY_LABELS, "BIO repairs", "trimmed", "dropped", "nested", "tokens dropped"]
    rows, file_rows, notes = [], [], []
    for name in args.corpora or all_corpora():
        for split in splits(name):
            if split == "all" and not args.all_split:
                continue
            try:
                c = load_corpus(name, split, root=args.root)
            except CorpusNotFoundError as exc:
                notes.append(f"- {name}/{split}: not loaded: {exc}")
                continue
            s = c.stats
            ents = [str(s.entities.get(lab, 0)) if lab in c.annotates else "—" for lab in ENTITY_LABELS]
            tag = " (eval only)" if c.evaluation_only else ""
            rows.append([name + tag, split, str(s.sentences), *ents, *(str(getattr(s, k)) for k in COUNTERS),
                         str(s.nested), str(s.tokens_dropped)])
            if args.per_file:
                for f, fs in c.per_file.items():
                    file_rows.append([name, split, f, str(fs.sentences), *(str(getattr(fs, k)) for k in COUNTERS),
                                      str(fs.tag_fixes), str(fs.marks_removed)])
    print(_table(head, rows))
    if file_rows:
        print()
        print(_table(["corpus", "split", "file", "sentences", "BIO repairs", "trimmed", "dropped", "tag fixes", "marks removed"],
                     file_rows))
    if notes:
        print()
        print("\n".join(notes))
    return 0


def _table(head: list[str], rows: list[list[str]]) -> str:
    numeric = [bool(rows) and all(r[i].isdigit() or r[i] == "—" for r in rows) for i in range(len(head))]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("--:" if n else "---" for n in numeric) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
