"""`conflict-ner extract`: inputs, formats, ids and order, exit codes and messages."""

from __future__ import annotations

import json

import pytest

from conflict_ner.cli.main import main
from conflict_ner.document import read_jsonl

TEXT = "قتل 12 عنصرا من قوات النظام في ريف إدلب أمس."


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_one_file_gives_json_with_offsets_into_the_file_text(tiny_folder, tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    code, out, err = run(capsys, "extract", str(f), "--model", str(tiny_folder))
    assert code == 0, err
    res = json.loads(out)
    assert res["id"] == "a"
    assert all(TEXT[e["start"] : e["end"]] == e["text"] for e in res["entities"])


def test_jsonl_in_gives_one_record_per_input_in_order_scorable_against_gold(tiny_folder, tmp_path, capsys):
    src = tmp_path / "gold.jsonl"
    recs = [{"id": f"d{i}", "text": TEXT if i % 2 else "مرحبا", "entities": [], "extra": 1} for i in range(5)]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    out_file = tmp_path / "pred.jsonl"
    code, _, err = run(capsys, "extract", "--jsonl", str(src), "--format", "jsonl", "-o", str(out_file), "--model", str(tiny_folder))
    assert code == 0, err
    docs = read_jsonl(out_file)  # the prediction file passes the annotation validator
    assert [d.id for d in docs] == [r["id"] for r in recs]
    assert [d.text for d in docs] == [r["text"] for r in recs]


def test_folder_of_txt_files_is_read_in_name_order(tiny_folder, tmp_path, capsys):
    for name in ("b", "a", "c"):
        (tmp_path / f"{name}.txt").write_text(TEXT, encoding="utf-8")
    code, out, _ = run(capsys, "extract", str(tmp_path), "--model", str(tiny_folder))
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == ["a", "b", "c"]


def test_table_format_lists_every_count(tiny_folder, tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    code, out, _ = run(capsys, "extract", str(f), "--format", "table", "--model", str(tiny_folder))
    assert code == 0
    code, js, _ = run(capsys, "extract", str(f), "--model", str(tiny_folder))
    n = len(json.loads(js)["casualties"])
    assert f"{n} count(s)" in out
    assert len(out.strip().splitlines()) == 2 + n


def test_invalid_utf8_fails_with_a_message_naming_the_file(tiny_folder, tmp_path, capsys):
    f = tmp_path / "latin1.txt"
    f.write_bytes("قتل".encode() + b"\xff\xfe")
    code, out, err = run(capsys, "extract", str(f), "--model", str(tiny_folder))
    assert code == 1 and out == ""
    assert str(f) in err and "UTF-8" in err


def test_missing_file_exits_1_naming_it(tiny_folder, tmp_path, capsys):
    code, _, err = run(capsys, "extract", str(tmp_path / "nope.txt"), "--model", str(tiny_folder))
    assert code == 1 and "nope.txt" in err


def test_bad_jsonl_record_names_file_and_line(tiny_folder, tmp_path, capsys):
    f = tmp_path / "x.jsonl"
    f.write_text('{"id": 1, "text": "a"}\n{"id": 2}\n', encoding="utf-8")
    code, _, err = run(capsys, "extract", "--jsonl", str(f), "--model", str(tiny_folder))
    assert code == 1 and f"{f}:2" in err


def test_unknown_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["extract", "--format", "xml"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_missing_model_folder_exits_1(tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    code, _, err = run(capsys, "extract", str(f), "--model", str(tmp_path / "no_model"))
    assert code == 1 and "cannot load model" in err
