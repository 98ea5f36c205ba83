"""Spec documents as Hugging Face ``datasets``: to a Dataset, back with validation, and loading.

A row holds the spec's JSONL fields (``id``, ``text``, ``entities``, ``relations``, ``meta``, and
any extra top-level keys as further columns), entities and relations as lists of dicts.

Arrow gives every row of a column one type, so dict keys are unified across rows: a key one
row lacks comes back as ``None`` (an ACTOR gets ``outcome: None`` when some COUNT has an
outcome; a document's ``meta`` gets ``date: None`` when another document has a date). The spec
format has no use for ``null`` values, so :func:`from_dataset` drops every ``None`` dict value
(recursively) before validating; documents then round-trip exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..document import Problem, ValidationError, collect_documents

_LOCAL_SUFFIXES = (".jsonl", ".json")


def _drop_none(value: Any) -> Any:
    """Remove the ``None`` fillers Arrow puts in for missing dict keys, at every depth."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def to_dataset(docs):
    """Documents -> ``datasets.Dataset`` with one row per document in the spec's JSONL layout."""
    import datasets

    rows = [d.to_json() for d in docs]
    if not rows:
        return datasets.Dataset.from_dict({k: [] for k in ("id", "text", "entities", "relations", "meta")})
    return datasets.Dataset.from_list(rows)


def from_dataset(ds, strict: bool = True, source: str = "<dataset>"):
    """Rows -> validated :class:`Document` objects.

    Each row is checked with :func:`conflict_ner.document.check_document` (and document ids must
    be unique). A :class:`Problem` carries ``source`` as its file, the row index (0-based, as in
    ``ds[i]``) as its line, and the row's document id. ``strict=True`` returns the documents or
    raises :class:`ValidationError` listing every problem; ``strict=False`` returns
    ``(good_documents, problems)``, skipping only the bad rows.
    """
    problems: list[Problem] = []
    docs = collect_documents(((i, _drop_none(dict(row))) for i, row in enumerate(ds)), source, problems, unit="row")
    if strict:
        if problems:
            raise ValidationError(problems)
        return docs
    return docs, problems


def _local_files(path: Path) -> list[str] | None:
    if path.is_file():
        return [str(path)]
    if path.is_dir():
        files = sorted(str(p) for p in path.iterdir() if p.suffix in _LOCAL_SUFFIXES and p.is_file())
        if not files:
            raise FileNotFoundError(f"{path}: no .jsonl files in this folder")
        return files
    if path.suffix in _LOCAL_SUFFIXES:
        raise FileNotFoundError(f"{path}: no such file")
    return None


def load_documents(path_or_hub_id: str | Path, split: str = "train", strict: bool = True, **kwargs):
    """Documents from a local JSONL file (or a folder of them) or a dataset on the Hub.

    Local files go through ``datasets.load_dataset("json", data_files=...)``; anything else is
    taken as a Hub id and loaded with ``load_dataset(hub_id, split=split)``. Extra keyword
    arguments go to ``load_dataset`` (``revision=``, ``cache_dir=``...). Validation as in
    :func:`from_dataset`.
    """
    import datasets

    files = _local_files(Path(path_or_hub_id))
    if files is not None:
        ds = datasets.load_dataset("json", data_files={split: files}, split=split, **kwargs)
        source = files[0] if len(files) == 1 else str(path_or_hub_id)
    else:
        ds = datasets.load_dataset(str(path_or_hub_id), split=split, **kwargs)
        source = f"{path_or_hub_id}[{split}]"
    return from_dataset(ds, strict=strict, source=source)
