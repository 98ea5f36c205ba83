"""Where the corpora live and how to load one split of one of them.

Third-party CoNLL corpora are declared in configs/corpora/<name>.yaml (files per split,
columns, label map, the labels they annotate) and read from a data root:

1. the environment variable ``CONFLICT_NER_DATA``, if set;
2. else a path passed in (``data_root(configured)``, e.g. a training config's ``data_root``);
3. else ``../shared/data`` next to the repository.

The project's own JSONL corpora:

- ``conflict``: data/conflict/{train,dev}.jsonl in the repository (built by
  scripts/build_conflict_corpus.py), every label annotated, with ``side`` relations;
- ``conflict_real_dev``: <data root>/conflict/dev.jsonl, real annotated news, split ``dev``
  only, EVALUATION ONLY (never train on it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..document import Document, read_jsonl
from ..schema import ENTITY_LABELS
from .conll import ConllFormat, ReadStats, read_conll

ENV_VAR = "CONFLICT_NER_DATA"
REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "configs" / "corpora"
DEFAULT_DATA_ROOT = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CONFLICT_DIR = REPO_ROOT / "data" / "conflict"

CORPORA: tuple[str, ...] = tuple(sorted(p.stem for p in CONFIG_DIR.glob("*.yaml")))
PROJECT_CORPORA: tuple[str, ...] = ("conflict", "conflict_real_dev")
EVALUATION_ONLY: frozenset[str] = frozenset({"conflict_real_dev"})


class CorpusNotFoundError(FileNotFoundError):
    """A corpus file is missing; the message names the path and how to point at a copy."""


def data_root(configured: str | Path | None = None) -> Path:
    """The folder holding anercorp/, fane/, wojood_sample/, aqmar/, conflict/."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    if configured:
        return Path(configured).expanduser()
    return DEFAULT_DATA_ROOT


@dataclass
class CorpusData:
    name: str
    split: str
    documents: list[Document]
    annotates: tuple[str, ...]
    stats: ReadStats
    per_file: dict[str, ReadStats] = field(default_factory=dict)
    has_relations: bool = False
    evaluation_only: bool = False
    root: Path | None = None

    def __len__(self) -> int:
        return len(self.documents)


def all_corpora() -> tuple[str, ...]:
    return CORPORA + PROJECT_CORPORA


def corpus_config(name: str) -> dict[str, Any]:
    path = CONFIG_DIR / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(all_corpora())
        raise KeyError(f"unknown corpus {name!r} (known: {known}); CoNLL corpora are declared in {CONFIG_DIR}")
    with open(path, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    check_config(cfg, str(path))
    return cfg


def check_config(cfg: Any, where: str = "<config>") -> None:
    """Raise ValueError unless ``cfg`` declares a readable corpus whose ``annotates`` agrees with its label map."""
    if not isinstance(cfg, dict):
        raise ValueError(f"{where}: a corpus config must be a mapping")
    for key in ("name", "format", "files", "label_map", "annotates"):
        if key not in cfg:
            raise ValueError(f"{where}: missing key {key!r}")
    if cfg["format"] != "conll":
        raise ValueError(f"{where}: unsupported format {cfg['format']!r} (only 'conll')")
    ann = cfg["annotates"]
    bad = [a for a in ann if a not in (cfg.get("labels") or ENTITY_LABELS)]
    if bad:
        raise ValueError(f"{where}: annotates lists unknown labels {bad}")
    mapped = {v for v in cfg["label_map"].values() if v != "O"}
    if mapped != set(ann):
        raise ValueError(f"{where}: annotates {sorted(ann)} must be exactly the labels the label_map produces {sorted(mapped)}")
    split = cfg.get("split")
    if split is not None and split.get("scheme") != "sentence_blocks":
        raise ValueError(f"{where}: unknown split scheme {split.get('scheme')!r} (only 'sentence_blocks')")


def splits(name: str, config: dict[str, Any] | None = None) -> tuple[str, ...]:
    if name == "conflict":
        return ("train", "dev")
    if name == "conflict_real_dev":
        return ("dev",)
    cfg = config or corpus_config(name)
    if cfg.get("split"):
        return ("train", "dev", "test", "all")
    return (*cfg["files"], "all")


def _as_list(v: Any) -> list[str]:
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def _missing(name: str, path: Path, root: Path) -> CorpusNotFoundError:
    return CorpusNotFoundError(
        f"corpus {name!r}: file not found: {path} (data root {root}). "
        f"Set {ENV_VAR} to the folder that holds the corpora (see data/README.md)."
    )


def load_corpus(name: str, split: str, root: str | Path | None = None, config: dict[str, Any] | None = None) -> CorpusData:
    """Load one split. ``root`` is the data root to use when ``CONFLICT_NER_DATA`` is unset;
    ``config`` replaces configs/corpora/<name>.yaml (a dict of the same shape)."""
    if config is None and name in PROJECT_CORPORA:
        return _load_project(name, split, root)
    cfg = config if config is not None else corpus_config(name)
    if config is not None:
        check_config(cfg, f"config for {name!r}")
    base = data_root(root)
    corpus_root = base / cfg.get("root", name)
    available = splits(name, cfg)
    if split not in available:
        raise ValueError(f"corpus {name!r} has no split {split!r} (available: {', '.join(available)})")
    fmt = ConllFormat.from_config(cfg)

    jobs: list[tuple[str, Any]] = []  # (file, select)
    scheme = cfg.get("split")
    if scheme:
        files = [f for v in cfg["files"].values() for f in _as_list(v)]
        select = None if split == "all" else _block_selector(scheme, split)
        jobs = [(f, select) for f in files]
    else:
        names = [f for v in cfg["files"].values() for f in _as_list(v)] if split == "all" else _as_list(cfg["files"][split])
        jobs = [(f, None) for f in dict.fromkeys(names)]

    for f, _ in jobs:
        if not (corpus_root / f).is_file():
            raise _missing(name, corpus_root / f, base)
    docs: list[Document] = []
    total = ReadStats()
    per_file: dict[str, ReadStats] = {}
    for f, select in jobs:
        res = read_conll(corpus_root / f, fmt, split=split, select=select, file_name=f)
        docs.extend(res.documents)
        per_file[f] = res.stats
        total.add(res.stats)
    return CorpusData(name=name, split=split, documents=docs, annotates=fmt.annotates, stats=total,
                      per_file=per_file, root=corpus_root)


def _block_selector(scheme: dict[str, Any], split: str):
    size, mod = int(scheme.get("block_size", 100)), int(scheme.get("modulo", 10))
    dev, test = set(scheme.get("dev", ())), set(scheme.get("test", ()))
    if dev & test:
        raise ValueError(f"split scheme assigns residues {sorted(dev & test)} to both dev and test")

    def assign(idx: int) -> str:
        r = (idx // size) % mod
        return "dev" if r in dev else "test" if r in test else "train"

    return lambda idx: assign(idx) == split


def _load_project(name: str, split: str, root: str | Path | None) -> CorpusData:
    if name == "conflict":
        if split not in ("train", "dev"):
            raise ValueError(f"corpus 'conflict' has splits train and dev, not {split!r}")
        path = CONFLICT_DIR / f"{split}.jsonl"
        if not path.is_file():
            raise CorpusNotFoundError(f"corpus 'conflict': file not found: {path}; build it with scripts/build_conflict_corpus.py")
        base = None
    else:
        if split != "dev":
            raise ValueError("corpus 'conflict_real_dev' is evaluation only: it has split 'dev' only, and must not be trained on")
        base = data_root(root)
        path = base / "conflict" / "dev.jsonl"
        if not path.is_file():
            raise _missing(name, path, base)
    docs = read_jsonl(path)
    stats = ReadStats(sentences=len(docs))
    for d in docs:
        d.meta.setdefault("corpus", name)
        d.meta.setdefault("split", split)
        d.meta.setdefault("annotates", list(ENTITY_LABELS))
        stats.entities.update(e.label for e in d.entities)
    return CorpusData(name=name, split=split, documents=docs, annotates=ENTITY_LABELS, stats=stats,
                      per_file={path.name: stats}, has_relations=True, evaluation_only=name in EVALUATION_ONLY,
                      root=path.parent)
