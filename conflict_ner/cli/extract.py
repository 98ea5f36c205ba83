"""`conflict-ner extract`: texts, folders or JSONL records in; JSON, JSONL or a table out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..backends import BACKEND_HELP, BACKENDS
from ..document import Document, Entity, Relation


def add_parser(sub):
    p = sub.add_parser("extract", help="extract entities, counts and sides from texts")
    p.add_argument("inputs", nargs="*", default=["-"], help="text files, folders of .txt files, or - for stdin")
    p.add_argument("--model", default=None, help="model folder or Hub id (default: the built-in model)")
    p.add_argument("--jsonl", action="store_true", help="inputs are JSONL records with 'id' and 'text' (other fields ignored)")
    p.add_argument("--format", choices=["json", "jsonl", "table"], default="json")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--dtype", choices=BACKENDS, default="auto", help=BACKEND_HELP)
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cpu)")
    p.add_argument("--bidi", choices=["logical", "visual"], default="logical",
                   help="table only: logical (bidi-aware terminals) or visual (reordered for terminals without bidi)")
    p.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    p.set_defaults(func=run)


class InputError(Exception):
    pass


def read_inputs(paths: list[str], jsonl: bool) -> list[tuple[str, str]]:
    """(id, text) pairs in input order; errors name the file (and line)."""
    items: list[tuple[str, str]] = []
    files: list[Path | None] = []
    for p in paths:
        if p == "-":
            files.append(None)
            continue
        path = Path(p)
        if path.is_dir():
            found = sorted(path.glob("*.jsonl" if jsonl else "*.txt"))
            if not found:
                raise InputError(f"{path}: folder holds no {'.jsonl' if jsonl else '.txt'} files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    for f in files:
        name = "<stdin>" if f is None else str(f)
        try:
            data = sys.stdin.buffer.read() if f is None else f.read_bytes()
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not valid UTF-8 (byte {exc.start}: {exc.reason}); convert it to UTF-8 first") from None
        if text.startswith("\ufeff"):
            text = text[1:]
        if not jsonl:
            items.append((Path(name).stem if f is not None else "stdin", text))
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{name}:{lineno}: invalid JSON: {exc.msg}") from None
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise InputError(f"{name}:{lineno}: a record needs a string field 'text'")
            items.append((str(rec.get("id", f"{Path(name).stem}:{lineno}")), rec["text"]))
    return items


def predict(pipe, texts: list[str], batch_size: int, on_chunk=None) -> list[dict]:
    """Results for ``texts`` from a pipeline (or a bare Extractor), ``batch_size * 4`` texts per call.

    `extract` and `extract-corpus` both go through here, so they pool the same texts together
    and give the same output for the same input."""
    from ..inference import Extractor

    if isinstance(pipe, Extractor):
        pipe.batch_size = batch_size
        call = pipe.extract
    else:
        def call(chunk):
            return pipe(chunk, batch_size=batch_size)
    results: list[dict] = []
    step = max(1, batch_size * 4)
    for i in range(0, len(texts), step):
        chunk = texts[i : i + step]
        results.extend(call(chunk))
        if on_chunk is not None:
            on_chunk(len(chunk))
    return results


def as_document(doc_id: str, text: str, result: dict) -> dict:
    """A prediction in the annotation format (entity ids = list positions), so it scores against gold."""
    ents = []
    for k, e in enumerate(result["entities"]):
        extra = {key: e[key] for key in ("score", "value", "approximate", "qualifier", "outcome_score") if key in e}
        ents.append(Entity(k, e["label"], e["start"], e["end"], e.get("outcome"), extra))
    rels = [Relation(k, r["count"], r["actor"], "side", {"score": r["score"]}) for k, r in enumerate(result["relations"])]
    out = Document(doc_id, text, ents, rels, {}, {"casualties": result["casualties"]}).to_json()
    return out


def render_table(records: list[tuple[str, dict]], visual: bool) -> str:
    from bidi import get_display

    def cell(s: str) -> str:
        return get_display(s) if visual else f"\u2068{s}\u2069"  # FSI..PDI isolate each RTL cell

    lines = []
    for doc_id, res in records:
        lines.append(f"== {doc_id}: {len(res['casualties'])} count(s), {len(res['entities'])} entities")
        lines.append(f"{'value':>8}  {'qualifier':<10} {'outcome':<10} {'count':<16} side(s)")
        for c in res["casualties"]:
            value = "?" if c["value"] is None else f"{c['value']}{'~' if c['approximate'] else ''}"
            sides = " | ".join(cell(s["text"]) for s in c["sides"]) or "-"
            lines.append(f"{value:>8}  {(c['qualifier'] or '-'):<10} {(c['outcome'] or '-'):<10} {cell(c['text']):<16} {sides}")
    return "\n".join(lines) + "\n"


def run(args) -> int:
    try:
        items = read_inputs(args.inputs, args.jsonl)
    except InputError as exc:
        print(f"conflict-ner extract: {exc}", file=sys.stderr)
        return 1
    from tqdm.auto import tqdm

    from ..defaults import load_pipeline

    try:
        pipe = load_pipeline(args.model, device=args.device, compute_dtype=args.dtype)
        backend = pipe.backend  # resolves the backend now (an onnx one exports its graph once)
    except (OSError, ValueError, ImportError) as exc:
        print(f"conflict-ner extract: cannot load model {args.model or '(built-in)'}: {exc}", file=sys.stderr)
        return 1
    if sys.stderr.isatty():
        print(f"conflict-ner extract: backend {backend}", file=sys.stderr)
    with tqdm(total=len(items), desc="extract", unit="doc", file=sys.stderr, disable=len(items) < 2 or not sys.stderr.isatty()) as bar:
        results = predict(pipe, [t for _, t in items], args.batch_size, bar.update)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    try:
        if args.format == "table":
            out.write(render_table([(i, r) for (i, _), r in zip(items, results)], args.bidi == "visual"))
        elif args.format == "jsonl":
            for (doc_id, text), r in zip(items, results):
                out.write(json.dumps(as_document(doc_id, text, r), ensure_ascii=False) + "\n")
        else:
            payload = [dict(id=i, **r) for (i, _), r in zip(items, results)]
            json.dump(payload[0] if len(payload) == 1 and not args.jsonl else payload, out, ensure_ascii=False, indent=1)
            out.write("\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0
