"""The project's conflict corpus passes the validator and matches its sources."""

from __future__ import annotations

from pathlib import Path

from conflict_ner.cli.main import main
from conflict_ner.corpora.authoring import compile_file
from conflict_ner.document import read_jsonl

DATA = Path(__file__).resolve().parents[1] / "data" / "conflict"


def test_corpus_files_validate(capsys):
    files = sorted(map(str, DATA.glob("*.jsonl"))) + sorted(map(str, (DATA / "src").glob("*.yaml")))
    assert main(["validate", *files]) == 0, capsys.readouterr().out


def test_built_jsonl_is_what_the_sources_compile_to():
    built = {d.id: d for name in ("train", "dev") for d in read_jsonl(DATA / f"{name}.jsonl")}
    compiled = {}
    for f in sorted((DATA / "src").glob("*.yaml")):
        docs, problems = compile_file(f)
        assert not problems
        compiled.update((d.id, d) for d in docs)
    assert compiled.keys() == built.keys()
    assert all(compiled[k] == built[k] for k in compiled), "rebuild with scripts/build_conflict_corpus.py"


def test_split_is_by_document_and_dev_holds_at_least_80():
    train = {d.id for d in read_jsonl(DATA / "train.jsonl")}
    dev = {d.id for d in read_jsonl(DATA / "dev.jsonl")}
    assert not train & dev and len(dev) >= 80 and len(train) + len(dev) >= 400
