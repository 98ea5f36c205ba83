"""Corpus-scale extraction: stream records in, write resumable output shards, merge them back in order.

``extract_corpus(pipe, "news.jsonl", "out/")`` reads (id, text) records from JSONL or Parquet files,
a folder of them, a saved ``datasets`` dataset or a Hub dataset id, and writes
``out/part-{rank:05d}-{k:05d}.jsonl`` shards in the annotation format (as ``conflict-ner extract
--jsonl --format jsonl`` writes them) plus one ``out/manifest-{rank:05d}.jsonl`` per process.

* Each shard is written to a temporary file and renamed when complete, then listed in the
  manifest, so a run that is interrupted and started again with the same arguments skips the
  finished shards and redoes the rest: no document is lost or written twice. Resuming checks
  that the finished shards hold the same input records (ids and positions) as the input now.
* Process ``rank`` of ``world_size`` takes records ``i`` with ``i % world_size == rank``; under
  ``accelerate launch`` both come from accelerate's ``PartialState``.
* Every record keeps its input position in ``meta["corpus_index"]``; :func:`merge_shards`
  streams all processes' shards back into exact input order and drops that key, so the merged
  file equals the single-process ``extract`` output.
* Ids must be unique across the whole input; a duplicate is an error naming it.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

INDEX_KEY = "corpus_index"
MANIFEST_VERSION = 1
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz")
PARQUET_SUFFIXES = (".parquet",)


class CorpusError(ValueError):
    """Bad input, a duplicate id, or output that does not match the run being resumed or merged."""


# ---------------------------------------------------------------------------------------------
# Reading records
# ---------------------------------------------------------------------------------------------

def _has_suffix(path: Path, suffixes: tuple[str, ...]) -> bool:
    return any(path.name.endswith(s) for s in suffixes)


def _is_saved_dataset(path: Path) -> bool:
    return (path / "dataset_dict.json").is_file() or (
        (path / "state.json").is_file() and (path / "dataset_info.json").is_file())


def _check(rec: Any, where: str, text_field: str, id_field: str, default_id: str) -> tuple[str, str]:
    if not isinstance(rec, dict):
        raise CorpusError(f"{where}: a record must be an object, got {type(rec).__name__}")
    text = rec.get(text_field)
    if not isinstance(text, str):
        got = "missing" if text is None else f"a {type(text).__name__}"
        raise CorpusError(f"{where}: a record needs a string field {text_field!r} ({got})")
    doc_id = rec.get(id_field)
    return (default_id if doc_id is None else str(doc_id)), text


def _iter_jsonl(path: Path, text_field: str, id_field: str) -> Iterator[tuple[str, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    stem = Path(path.name.removesuffix(".gz")).stem
    with opener(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CorpusError(f"{path}:{lineno}: not valid UTF-8 ({exc.reason}); convert it to UTF-8 first") from None
            if lineno == 1 and line.startswith("\ufeff"):
                line = line[1:]
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from None
            yield _check(rec, f"{path}:{lineno}", text_field, id_field, f"{stem}:{lineno}")


def _iter_parquet(path: Path, text_field: str, id_field: str) -> Iterator[tuple[str, str]]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    if text_field not in names:
        raise CorpusError(f"{path}: no column {text_field!r} (columns: {', '.join(names)})")
    columns = [text_field] + ([id_field] if id_field in names and id_field != text_field else [])
    row = 0
    for batch in pf.iter_batches(columns=columns, batch_size=1024):
        for rec in batch.to_pylist():
            row += 1
            yield _check(rec, f"{path} row {row}", text_field, id_field, f"{path.stem}:{row}")


def _iter_dataset(ds, name: str, text_field: str, id_field: str, split: str) -> Iterator[tuple[str, str]]:
    from datasets import DatasetDict, IterableDatasetDict

    if isinstance(ds, (DatasetDict, IterableDatasetDict)):
        if split not in ds:
            raise CorpusError(f"{name}: no split {split!r} (splits: {', '.join(ds)})")
        ds = ds[split]
    columns = getattr(ds, "column_names", None)
    if columns is not None and text_field not in columns:
        raise CorpusError(f"{name}: no column {text_field!r} (columns: {', '.join(columns)})")
    for i, rec in enumerate(ds):
        yield _check(rec, f"{name} record {i}", text_field, id_field, str(i))


def iter_records(source, text_field: str = "text", id_field: str = "id", split: str = "train",
                 streaming: bool = True) -> Iterator[tuple[str, str]]:
    """(id, text) for every record of ``source``, in order.

    ``source``: a JSONL file (``.jsonl``, ``.ndjson``, ``.jsonl.gz``), a Parquet file, a folder of
    such files (read in name order), a folder written by ``Dataset.save_to_disk`` (``split`` picks
    from a ``DatasetDict``), a ``datasets`` dataset object, or a Hub dataset id, read with
    ``load_dataset(source, split=split, streaming=streaming)``. A record without ``id_field``
    gets ``FILE-STEM:LINE`` (JSONL, as ``conflict-ner extract`` names it), ``FILE-STEM:ROW``
    (Parquet) or its position (datasets).
    """
    if not isinstance(source, (str, os.PathLike)):
        yield from _iter_dataset(source, type(source).__name__, text_field, id_field, split)
        return
    path = Path(source)
    if path.is_dir():
        if _is_saved_dataset(path):
            from datasets import load_from_disk

            yield from _iter_dataset(load_from_disk(str(path)), str(path), text_field, id_field, split)
            return
        files = sorted(p for p in path.iterdir() if p.is_file() and _has_suffix(p, JSONL_SUFFIXES + PARQUET_SUFFIXES))
        if not files:
            raise CorpusError(f"{path}: folder holds no .jsonl or .parquet files (nor a saved dataset)")
        for f in files:
            yield from iter_records(f, text_field, id_field, split, streaming)
        return
    if path.is_file():
        if _has_suffix(path, PARQUET_SUFFIXES):
            yield from _iter_parquet(path, text_field, id_field)
        elif _has_suffix(path, JSONL_SUFFIXES):
            yield from _iter_jsonl(path, text_field, id_field)
        else:
            raise CorpusError(f"{path}: not a .jsonl, .ndjson, .jsonl.gz or .parquet file")
        return
    if (path.is_absolute() or str(source).startswith(".") or str(source).count("/") > 1
            or _has_suffix(path, JSONL_SUFFIXES + PARQUET_SUFFIXES)):
        raise CorpusError(f"{source}: no such file or folder")
    from datasets import load_dataset

    try:  # a Hub dataset id
        ds = load_dataset(str(source), split=split, streaming=streaming)
    except (FileNotFoundError, ConnectionError, ValueError) as exc:
        raise CorpusError(f"{source}: no such file or folder, and not a loadable Hub dataset ({exc})") from None
    yield from _iter_dataset(ds, str(source), text_field, id_field, split)


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------

def launched() -> bool:
    """Whether this process was started as one of several (accelerate launch, torchrun, mpirun)."""
    if "LOCAL_RANK" in os.environ:
        return True
    for var in ("WORLD_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE"):
        try:
            if int(os.environ.get(var, "1")) > 1:
                return True
        except ValueError:
            pass
    return False


def process_context():
    """(rank, world_size, state): accelerate's ``PartialState`` when this process was launched as
    one of several (this joins the process group), else (0, 1, None).

    Without CUDA (or with ``ACCELERATE_USE_CPU=1``) the state is made with ``cpu=True``, so
    processes started by ``accelerate launch --multi_gpu`` (torchrun underneath) on a CPU machine
    join a gloo group instead of each running alone."""
    if not launched():
        return 0, 1, None
    try:
        import torch
        from accelerate import PartialState
        from accelerate.utils import parse_flag_from_env
    except ImportError:
        return 0, 1, None
    state = PartialState(cpu=parse_flag_from_env("ACCELERATE_USE_CPU") or not torch.cuda.is_available())
    return state.process_index, state.num_processes, state


# ---------------------------------------------------------------------------------------------
# Shards and manifests
# ---------------------------------------------------------------------------------------------

def shard_name(rank: int, k: int) -> str:
    return f"part-{rank:05d}-{k:05d}.jsonl"


def manifest_name(rank: int) -> str:
    return f"manifest-{rank:05d}.jsonl"


def _ids_digest(items: Iterable[tuple[int, str]]) -> str:
    h = hashlib.sha1()
    for i, doc_id in items:
        h.update(f"{i}\t{doc_id}\n".encode())
    return h.hexdigest()


def _fsync_write(path: Path, lines: Iterable[str]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line)
        f.flush()
        os.fsync(f.fileno())


def _count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def _read_manifest(path: Path) -> tuple[dict | None, list[dict], dict | None]:
    """(header, shard entries, done entry); a torn last line (crash mid-append) is dropped."""
    header, entries, done = None, [], None
    if not path.is_file():
        return header, entries, done
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                break
            if "header" in obj:
                header = obj["header"]
            elif obj.get("done"):
                done = obj
            elif "shard" in obj:
                entries.append(obj)
    return header, entries, done


class _Manifest:
    def __init__(self, out_dir: Path, rank: int, header: dict):
        self.path = out_dir / manifest_name(rank)
        self.out_dir = out_dir
        self.header = header
        self.entries: dict[int, dict] = {}

    def load(self) -> None:
        """Keep the finished shards whose files are complete; rewrite the manifest without the rest."""
        old, entries, _ = _read_manifest(self.path)
        if old is not None:
            keys = ("version", "rank", "world_size", "shard_size", "text_field", "id_field")
            diff = [k for k in keys if old.get(k) != self.header.get(k)]
            if diff:
                was = ", ".join(f"{k}={old.get(k)!r}" for k in diff)
                now = ", ".join(f"{k}={self.header.get(k)!r}" for k in diff)
                raise CorpusError(
                    f"{self.path}: written by a run with {was}, this run has {now}; resume with the same "
                    "shard size, fields and number of processes, or start again with --no-resume (resume=False)")
        for e in entries:
            f = self.out_dir / e["file"]
            if f.is_file() and _count_lines(f) == e["records"]:
                self.entries[e["shard"]] = e
        self._rewrite()

    def _rewrite(self, done: dict | None = None) -> None:
        lines = [json.dumps({"header": self.header}) + "\n"]
        lines += [json.dumps(self.entries[k]) + "\n" for k in sorted(self.entries)]
        if done is not None:
            lines.append(json.dumps(done) + "\n")
        tmp = self.path.with_name(self.path.name + ".tmp")
        _fsync_write(tmp, lines)
        os.replace(tmp, self.path)

    def add(self, entry: dict) -> None:
        self.entries[entry["shard"]] = entry
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def finish(self, done: dict) -> None:
        self._rewrite(done)


def _clear_rank(out_dir: Path, rank: int) -> None:
    for p in out_dir.glob(f"part-{rank:05d}-*.jsonl*"):
        p.unlink()
    for p in out_dir.glob(f"{manifest_name(rank)}*"):
        p.unlink()


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------

def extract_corpus(pipe_or_engine, source, out_dir, shard_size: int = 1000, batch_size: int = 16,
                   rank: int | None = None, world_size: int | None = None, resume: bool = True,
                   progress: bool = True, text_field: str = "text", id_field: str = "id", split: str = "train",
                   streaming: bool = True, on_shard: Callable[[int, Path], None] | None = None) -> dict:
    """Extract every record of ``source`` this process owns into shards under ``out_dir``.

    ``pipe_or_engine``: a ``conflict-extraction`` pipeline or an :class:`~conflict_ner.inference.Extractor`.
    ``rank``/``world_size`` default to accelerate's ``PartialState`` (0 and 1 outside ``accelerate launch``).
    ``resume=False`` deletes this process's earlier shards and manifest first. ``on_shard(k, path)``
    is called after each shard is committed. Returns a summary: rank, world_size, shards (paths),
    records (this process), written/skipped shard counts, total (records in the input).
    """
    from .cli.extract import as_document, predict

    if shard_size < 1:
        raise ValueError(f"shard_size must be >= 1, got {shard_size}")
    if rank is None or world_size is None:
        r, w, _ = process_context()
        rank = r if rank is None else rank
        world_size = w if world_size is None else world_size
    if not 0 <= rank < world_size:
        raise ValueError(f"rank must be in [0, world_size); got rank={rank}, world_size={world_size}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    header = {"version": MANIFEST_VERSION, "rank": rank, "world_size": world_size, "shard_size": shard_size,
              "text_field": text_field, "id_field": id_field, "source": str(source) if isinstance(source, (str, os.PathLike)) else type(source).__name__}
    if not resume:
        _clear_rank(out, rank)
        if rank == 0:  # ranks of an earlier, larger run would otherwise be merged in
            for m in out.glob("manifest-*.jsonl"):
                if int(m.stem.split("-")[1]) >= world_size:
                    _clear_rank(out, int(m.stem.split("-")[1]))
    for p in out.glob(f"part-{rank:05d}-*.jsonl.tmp"):
        p.unlink()
    manifest = _Manifest(out, rank, header)
    manifest.load()

    from tqdm.auto import tqdm

    bar = tqdm(desc=f"extract-corpus[{rank}]" if world_size > 1 else "extract-corpus", unit="doc", file=sys.stderr,
               position=rank, disable=not progress or not sys.stderr.isatty())
    seen: set[str] = set()
    shards: list[Path] = []
    written = skipped = local = total = 0
    buf: list[tuple[int, str, str]] = []

    def flush(k: int) -> None:
        nonlocal written, skipped
        digest = _ids_digest((i, d) for i, d, _ in buf)
        entry = {"shard": k, "file": shard_name(rank, k), "records": len(buf), "first_index": buf[0][0],
                 "last_index": buf[-1][0], "ids_sha1": digest}
        path = out / entry["file"]
        shards.append(path)
        done = manifest.entries.get(k)
        if done is not None:
            if done["records"] != len(buf) or done.get("ids_sha1") != digest:
                raise CorpusError(
                    f"{path}: finished by an earlier run over different input records (ids or order changed); "
                    "start again with --no-resume (resume=False) or use a new output folder")
            skipped += 1
            bar.update(len(buf))
            return
        results = predict(pipe_or_engine, [t for _, _, t in buf], batch_size, bar.update)
        lines = []
        for (i, doc_id, text), res in zip(buf, results):
            rec = as_document(doc_id, text, res)
            rec["meta"] = {**rec.get("meta", {}), INDEX_KEY: i}
            lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
        tmp = path.with_name(path.name + ".tmp")
        _fsync_write(tmp, lines)
        os.replace(tmp, path)
        manifest.add(entry)
        written += 1
        if on_shard is not None:
            on_shard(k, path)

    try:
        k = 0
        for i, (doc_id, text) in enumerate(iter_records(source, text_field, id_field, split, streaming)):
            if doc_id in seen:
                raise CorpusError(f"duplicate id {doc_id!r} in {header['source']} (again at record {i}); ids must be unique")
            seen.add(doc_id)
            total = i + 1
            if i % world_size != rank:
                continue
            buf.append((i, doc_id, text))
            local += 1
            if len(buf) == shard_size:
                flush(k)
                k, buf = k + 1, []
        if buf:
            flush(k)
            k, buf = k + 1, []
    finally:
        bar.close()
    manifest.entries = {e: v for e, v in manifest.entries.items() if e < k}  # drop shards past the end
    manifest.finish({"done": True, "shards": k, "records": local, "total": total})
    return {"rank": rank, "world_size": world_size, "shards": shards, "records": local,
            "written": written, "skipped": skipped, "total": total}


# ---------------------------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------------------------

def _rank_stream(out: Path, entries: list[dict]) -> Iterator[tuple[int, dict]]:
    for e in entries:
        with open(out / e["file"], encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rec = json.loads(line)
                    yield rec["meta"][INDEX_KEY], rec


def merge_shards(out_dir, output_path) -> int:
    """Merge every process's shards under ``out_dir`` into ``output_path`` in input order.

    Checks that every process of the run finished, that no record is missing or repeated, and
    drops ``meta["corpus_index"]``. Streams (memory does not grow with the corpus). Returns the
    number of records written."""
    out = Path(out_dir)
    header0, _, _ = _read_manifest(out / manifest_name(0))
    if header0 is None:
        raise CorpusError(f"{out}: no {manifest_name(0)}; run extract_corpus / extract-corpus first")
    world = header0["world_size"]
    streams, total = [], None
    for r in range(world):
        path = out / manifest_name(r)
        header, entries, done = _read_manifest(path)
        if header is None or done is None:
            raise CorpusError(f"{path}: process {r} of {world} has not finished; run it again (it resumes)")
        if header["world_size"] != world or done["total"] != (total if total is not None else done["total"]):
            raise CorpusError(f"{path}: from a different run than {manifest_name(0)}; start again with --no-resume")
        total = done["total"]
        entries = sorted(entries, key=lambda e: e["shard"])
        if [e["shard"] for e in entries] != list(range(done["shards"])):
            raise CorpusError(f"{path}: shards missing; run process {r} again (it resumes)")
        streams.append(_rank_stream(out, entries))
    output = Path(output_path)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    expected = 0
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            for index, rec in heapq.merge(*streams, key=lambda x: x[0]):
                if index != expected:
                    what = "repeated" if index < expected else "missing"
                    raise CorpusError(f"{out}: input record {min(index, expected)} is {what} in the shards")
                rec["meta"].pop(INDEX_KEY)
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                expected += 1
        if expected != total:
            raise CorpusError(f"{out}: shards hold {expected} records, the input had {total}")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, output)
    return expected
