"""`conflict-ner evaluate` on a tiny model folder and a small JSONL written here."""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pytest

from conflict_ner.cli.evaluate import DataError, load_data
from conflict_ner.cli.main import main
from conflict_ner.document import Document, Entity, Relation, write_jsonl

TEXTS = [
    "قتل 12 عنصرا من قوات النظام في ريف إدلب أمس.",
    "وأصيب ثلاثة مدنيين بينهم طفلان في قصف على مدينة حلب.",
    "قالت وزارة الصحة إن 37 فلسطينيا قتلوا في غزة يوم الثلاثاء.",
]
GOLD = [
    [("12", "COUNT", "killed"), ("قوات النظام", "ACTOR", None), ("ريف إدلب", "LOCATION", None), ("أمس", "DATE", None)],
    [("ثلاثة", "COUNT", "wounded"), ("مدنيين", "ACTOR", None), ("مدينة حلب", "LOCATION", None)],
    [("وزارة الصحة", "ACTOR", None), ("37", "COUNT", "killed"), ("فلسطينيا", "ACTOR", None), ("غزة", "LOCATION", None),
     ("يوم الثلاثاء", "DATE", None)],
]
LINKS = [[(0, 1)], [(0, 1)], [(1, 2)]]
N_GOLD = sum(len(g) for g in GOLD)


def write_data(path: Path) -> Path:
    docs = []
    for k, (text, ents, links) in enumerate(zip(TEXTS, GOLD, LINKS)):
        es = []
        for i, (surface, label, outcome) in enumerate(ents):
            s = text.index(surface)
            es.append(Entity(i, label, s, s + len(surface), outcome))
        docs.append(Document(f"doc{k}", text, es, [Relation(j, c, a) for j, (c, a) in enumerate(links)]))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(docs, path)
    return path


@pytest.fixture
def data(tmp_path) -> Path:
    return write_data(tmp_path / "dev.jsonl")


def test_writes_json_and_markdown_and_a_summary_under_25_lines(tiny_folder, data, tmp_path, capsys):
    out_json, out_md = tmp_path / "out" / "eval.json", tmp_path / "out" / "eval.md"
    rc = main(["evaluate", "--model", str(tiny_folder), "--data", str(data), "--output-json", str(out_json),
               "--output-md", str(out_md), "--batch-size", "2", "--dtype", "fp32"])
    assert rc == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) <= 25
    assert lines[0] == f"model {tiny_folder}"
    assert any(line.startswith("Entities micro (exact chars)") for line in lines)
    assert any(line.startswith("  COUNT") for line in lines)
    assert any(line.startswith("Rel+ (end to end, by mention)") for line in lines)
    assert any(line.startswith("Rel+ (end to end, by side)") for line in lines)
    assert any(line.startswith("Rel given gold entities, by side") for line in lines)
    result = json.loads(out_json.read_text(encoding="utf-8"))
    assert result["meta"]["n_docs"] == 3 and result["meta"]["n_gold_entities"] == N_GOLD
    assert result["meta"]["data"] == str(data) and result["meta"]["compute_dtype"] == "float32"
    assert result["entities"]["seqeval"]["strict"]["micro"]["support"] == N_GOLD
    assert result["relations"]["n_gold_links"] == 3
    md = out_md.read_text(encoding="utf-8")
    assert md.startswith(f"# Evaluation of {tiny_folder} on {data}")
    assert "## Worst errors" in md


def test_fail_under_exits_1_naming_each_unmet_threshold(tiny_folder, data, capsys):
    rc = main(["evaluate", "--model", str(tiny_folder), "--data", str(data),
               "--fail-under", "entity_f1=0.99,count_f1=0,rel_plus=0.99"])
    assert rc == 1
    cap = capsys.readouterr()
    assert "2 threshold(s) not met" in cap.err and "entity_f1" in cap.err and "rel_plus" in cap.err
    assert "count_f1" not in cap.err
    last = cap.out.splitlines()[-1]
    assert last.startswith("fail-under: entity_f1 ") and "count_f1 " in last and " ok" in last and "FAIL" in last


def test_thresholds_met_exit_0(tiny_folder, data, capsys):
    assert main(["evaluate", "--model", str(tiny_folder), "--data", str(data), "--fail-under", "entity_f1=0,rel=0"]) == 0
    assert "FAIL" not in capsys.readouterr().out


def test_bad_thresholds_are_refused_before_any_work(data, capsys):
    assert main(["evaluate", "--model", "/nowhere", "--data", str(data), "--fail-under", "entity_f2=0.8"]) == 2
    assert "unknown metric" in capsys.readouterr().err
    assert main(["evaluate", "--model", "/nowhere", "--data", str(data), "--fail-under", "entity_f1"]) == 2


def test_missing_data_and_model_are_reported(tiny_folder, data, tmp_path, capsys):
    assert main(["evaluate", "--model", str(tiny_folder), "--data", str(tmp_path / "none.jsonl")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["evaluate", "--model", str(tmp_path / "no-model"), "--data", str(data)]) == 1
    assert "cannot evaluate model" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "abc", "entities": [{"id": 0, "label": "NOPE", "start_offset": 0, "end_offset": 1}]}\n',
                   encoding="utf-8")
    assert main(["evaluate", "--model", str(tiny_folder), "--data", str(bad)]) == 1
    assert "unknown label" in capsys.readouterr().err


def test_defaults_are_the_built_in_model_and_the_real_dev_file(tiny_folder, tmp_path, monkeypatch, capsys):
    root = tmp_path / "shared_data"
    dev = write_data(root / "conflict" / "dev.jsonl")
    monkeypatch.setenv("CONFLICT_NER_DATA", str(root))
    monkeypatch.setenv("CONFLICT_NER_MODEL", str(tiny_folder))
    assert main(["evaluate"]) == 0
    out = capsys.readouterr().out
    assert f"model {tiny_folder}" in out and f"data  {dev}: 3 docs, {N_GOLD} gold entities" in out
    docs, name, labels = load_data("conflict_real_dev")
    assert (len(docs), name, labels) == (3, "conflict_real_dev:dev", ("ACTOR", "PERSON", "LOCATION", "DATE", "COUNT"))
    with pytest.raises(DataError, match="unknown corpus"):
        load_data("no_such_corpus:test")
    with pytest.raises(DataError, match="evaluation only"):
        load_data("conflict_real_dev:train")


def test_scripts_evaluate_is_the_same_command(tiny_folder, data, monkeypatch, capsys):
    script = Path(__file__).resolve().parents[2] / "scripts" / "evaluate.py"
    monkeypatch.setattr(sys, "argv", ["evaluate.py", "--model", str(tiny_folder), "--data", str(data), "--fail-under", "entity_f1=1.01"])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(str(script), run_name="__main__")
    assert exc.value.code == 1
    assert "entity_f1" in capsys.readouterr().err
