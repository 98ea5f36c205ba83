"""Corpus-scale extraction: same output as `extract`, exact resume, several processes, input kinds, ids."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conflict_ner.cli.main import main
from conflict_ner.scale import CorpusError, extract_corpus, iter_records, merge_shards

SHARD = 7  # 30 records -> shards of 7, 7, 7, 7, 2 (one process) or 7, 7, 1 per rank (two)


def _texts() -> list[str]:
    from tiny import CORPUS

    # 1 to 9 sentences, so some texts need several windows of the tiny model
    return [" ".join(CORPUS[(i + j) % len(CORPUS)] for j in range(1 + (i * 7) % 9)) for i in range(30)]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "news.jsonl"
    recs = [{"id": f"doc-{i}", "text": t, "source": "test"} for i, t in enumerate(_texts())]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tiny_folder, corpus, tmp_path_factory) -> list[str]:
    """`conflict-ner extract --jsonl --format jsonl` on the corpus: what every route must reproduce."""
    out = tmp_path_factory.mktemp("ref") / "ref.jsonl"
    assert main(["extract", "--jsonl", str(corpus), "--format", "jsonl", "-o", str(out),
                 "--model", str(tiny_folder), "--dtype", "fp32"]) == 0
    lines = _lines(out)
    assert len(lines) == 30
    return lines


@pytest.fixture(scope="module")
def pipe(tiny_folder):
    from conflict_ner.defaults import load_pipeline

    return load_pipeline(str(tiny_folder), device="cpu", compute_dtype="fp32")


def _run(pipe, source, out, **kw):
    return extract_corpus(pipe, source, out, shard_size=SHARD, rank=0, world_size=1, progress=False, **kw)


def _merged(out: Path) -> list[str]:
    merge_shards(out, out / "merged.jsonl")
    return _lines(out / "merged.jsonl")


def test_single_process_output_equals_extract_jsonl(tiny_folder, corpus, reference, tmp_path, capsys):
    out, merged = tmp_path / "out", tmp_path / "merged.jsonl"
    code = main(["extract-corpus", str(corpus), "--out", str(out), "--shard-size", str(SHARD), "--merge", str(merged),
                 "--model", str(tiny_folder), "--dtype", "fp32", "--no-progress"])
    assert code == 0, capsys.readouterr().err
    assert _lines(merged) == reference
    parts = sorted(p.name for p in out.glob("part-*.jsonl"))
    assert parts == [f"part-00000-{k:05d}.jsonl" for k in range(5)]
    shard_recs = [json.loads(line) for p in parts for line in _lines(out / p)]
    assert [r["meta"]["corpus_index"] for r in shard_recs] == list(range(30))
    for r, ref in zip(shard_recs, reference):
        r["meta"].pop("corpus_index")
        assert r == json.loads(ref)


def test_interrupted_run_resumed_gives_the_uninterrupted_output(pipe, corpus, reference, tmp_path):
    out = tmp_path / "out"

    def crash_after_second_shard(k, path):
        if k == 1:
            raise RuntimeError("simulated crash")

    with pytest.raises(RuntimeError, match="simulated crash"):
        _run(pipe, corpus, out, on_shard=crash_after_second_shard)
    (out / "part-00000-00002.jsonl.tmp").write_text('{"id": "doc-14", "te', encoding="utf-8")  # torn write
    assert sorted(p.name for p in out.glob("part-*.jsonl")) == ["part-00000-00000.jsonl", "part-00000-00001.jsonl"]
    with pytest.raises(CorpusError, match="not finished"):
        merge_shards(out, tmp_path / "early.jsonl")
    summary = _run(pipe, corpus, out)
    assert (summary["skipped"], summary["written"], summary["records"]) == (2, 3, 30)
    assert not list(out.glob("*.tmp"))
    merged = _merged(out)
    assert merged == reference
    ids = [json.loads(line)["id"] for line in merged]
    assert ids == [f"doc-{i}" for i in range(30)] and len(set(ids)) == 30


def test_lost_last_shard_and_truncated_manifest_are_redone(pipe, corpus, reference, tmp_path):
    out = tmp_path / "out"
    _run(pipe, corpus, out)
    (out / "part-00000-00004.jsonl").unlink()
    manifest = out / "manifest-00000.jsonl"
    lines = _lines(manifest)
    assert json.loads(lines[-1])["done"] and json.loads(lines[-2])["shard"] == 4
    manifest.write_text("\n".join(lines[:-2]) + '\n{"shard": 4, "fi', encoding="utf-8")  # torn append
    with pytest.raises(CorpusError, match="not finished"):
        merge_shards(out, tmp_path / "early.jsonl")
    summary = _run(pipe, corpus, out)
    assert (summary["skipped"], summary["written"]) == (4, 1)
    assert _merged(out) == reference


def test_resume_refuses_other_settings_or_changed_input(pipe, corpus, tmp_path):
    out = tmp_path / "out"
    _run(pipe, corpus, out)
    with pytest.raises(CorpusError, match="shard_size"):
        extract_corpus(pipe, corpus, out, shard_size=5, rank=0, world_size=1, progress=False)
    changed = tmp_path / "changed.jsonl"
    recs = [json.loads(line) for line in _lines(corpus)]
    recs[3]["id"] = "renamed"
    changed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    with pytest.raises(CorpusError, match="different input"):
        _run(pipe, changed, out)
    summary = _run(pipe, changed, out, resume=False)
    assert summary["written"] == 5
    assert json.loads(_merged(out)[3])["id"] == "renamed"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_under_accelerate_launch_write_the_single_process_output(tiny_folder, corpus, reference, tmp_path):
    out, merged = tmp_path / "out", tmp_path / "merged.jsonl"
    # accelerate's `--cpu` launcher starts a single process (several CPU processes need mpirun);
    # `--multi_gpu` starts them with torchrun, and ACCELERATE_USE_CPU=1 makes them join a gloo group.
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
           "--main_process_port", str(_free_port()), "-m", "conflict_ner.cli.main",
           "extract-corpus", str(corpus), "--out", str(out), "--shard-size", str(SHARD), "--merge", str(merged),
           "--model", str(tiny_folder), "--dtype", "fp32", "--no-progress"]
    env = {**os.environ, "ACCELERATE_USE_CPU": "1", "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1",
           "HF_HOME": str(tmp_path / "hf")}  # no user accelerate config applies
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "[rank 0/2]" in proc.stderr and "[rank 1/2]" in proc.stderr
    for rank in (0, 1):
        parts = sorted(out.glob(f"part-{rank:05d}-*.jsonl"))
        assert [p.name for p in parts] == [f"part-{rank:05d}-{k:05d}.jsonl" for k in range(3)]
        indices = [json.loads(line)["meta"]["corpus_index"] for p in parts for line in _lines(p)]
        assert indices == list(range(rank, 30, 2))
    assert _lines(merged) == reference


def test_parquet_and_saved_datasets_give_the_same_records(pipe, corpus, reference, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from datasets import Dataset, DatasetDict

    records = list(iter_records(corpus))
    assert records == [(f"doc-{i}", t) for i, t in enumerate(_texts())]
    rows = [{"id": i, "text": t, "n": k} for k, (i, t) in enumerate(records)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "news.parquet")
    assert list(iter_records(tmp_path / "news.parquet")) == records
    folder = tmp_path / "parts"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows[:12]), folder / "a.parquet")
    (folder / "b.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[12:]), encoding="utf-8")
    assert list(iter_records(folder)) == records
    other = [{"uid": i, "body": t} for i, t in records]
    pq.write_table(pa.Table.from_pylist(other), tmp_path / "other.parquet")
    assert list(iter_records(tmp_path / "other.parquet", text_field="body", id_field="uid")) == records
    with pytest.raises(CorpusError, match="no column 'text'"):
        list(iter_records(tmp_path / "other.parquet"))

    ds = Dataset.from_list(rows)
    ds.save_to_disk(str(tmp_path / "saved"))
    DatasetDict({"test": ds}).save_to_disk(str(tmp_path / "saved_dict"))
    assert list(iter_records(tmp_path / "saved")) == records
    assert list(iter_records(tmp_path / "saved_dict", split="test")) == records
    assert list(iter_records(ds)) == records
    with pytest.raises(CorpusError, match="no split 'train'"):
        list(iter_records(tmp_path / "saved_dict"))

    _run(pipe, tmp_path / "saved", tmp_path / "out_ds")
    assert _merged(tmp_path / "out_ds") == reference
    _run(pipe, tmp_path / "news.parquet", tmp_path / "out_pq")
    assert _merged(tmp_path / "out_pq") == reference


def test_duplicate_ids_fail_naming_the_id(tiny_folder, pipe, tmp_path, capsys):
    src = tmp_path / "dup.jsonl"
    recs = [{"id": f"doc-{i}", "text": "قتل 12 عنصرا"} for i in range(5)] + [{"id": "doc-3", "text": "مرحبا"}]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    code = main(["extract-corpus", str(src), "--out", str(tmp_path / "out"), "--model", str(tiny_folder),
                 "--dtype", "fp32", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and "duplicate id 'doc-3'" in err
    with pytest.raises(CorpusError, match="duplicate id 'doc-3'"):
        extract_corpus(pipe, src, tmp_path / "out2", shard_size=2, rank=1, world_size=2, progress=False)


def test_bad_records_name_file_and_line(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text('{"id": 1, "text": "a"}\n{"id": 2}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=f"{f}:2: a record needs a string field 'text'"):
        list(iter_records(f))
    with pytest.raises(CorpusError, match="no such file"):
        list(iter_records(tmp_path / "missing.jsonl"))
