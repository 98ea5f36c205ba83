"""Documents -> supervised windows: allowed tags on first sub-tokens, gold spans, pairs, outcomes."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..corpora.registry import EVALUATION_ONLY, load_corpus
from ..document import Document
from ..features import (
    WindowInput,
    add_span_targets,
    allowed_tags,
    document_targets,
    encode_text,
    unit_tags,
    window_inputs,
)
from ..schema import ENTITY_LABELS
from .args import ConfigError, CorpusSpec


@dataclass
class BuildStats:
    documents: int = 0
    windows: int = 0
    tokens: int = 0
    unplaced_entities: int = 0
    per_corpus: dict[str, int] = field(default_factory=dict)


def document_windows(doc: Document, tokenizer, prefix, suffix, max_length: int, stride: int, annotates, has_relations: bool,
                     relation_window: int, tag2id: dict[str, int]) -> tuple[list[WindowInput], int]:
    enc = encode_text(doc.text, tokenizer, max_length, stride, len(prefix), len(suffix))
    spans, links, lost = document_targets(enc, doc)
    tags = unit_tags(len(enc.units), spans)
    out = []
    for wi in window_inputs(enc, prefix, suffix):
        labels: list[list[int]] = [[] for _ in wi.input_ids]
        for k, u in enumerate(range(wi.window.start, wi.window.end)):
            labels[wi.first_token[k]] = allowed_tags(tags[u], annotates, tag2id)
        wi.labels = labels
        add_span_targets(wi, enc, spans, links if has_relations else None, relation_window, own_only=False)
        out.append(wi)
    return out, lost


def load_mixture(specs: list[CorpusSpec], data_root: str | None, seed: int, labels=ENTITY_LABELS) -> list[tuple[Document, tuple[str, ...], bool, str]]:
    """Documents of a corpus mixture with what each corpus annotates; weights repeat or subsample."""
    rng = random.Random(seed)
    out = []
    for spec in specs:
        if spec.name in EVALUATION_ONLY:  # refused before any file is read
            raise ConfigError(f"corpus {spec.name!r} is evaluation-only and cannot be trained on")
        try:
            config = None
            if spec.label_map is not None:
                from ..corpora.registry import corpus_config

                config = {**corpus_config(spec.name), "label_map": spec.label_map, "labels": list(labels),
                          "annotates": [v for v in dict.fromkeys(spec.label_map.values()) if v != "O"]}
            corpus = load_corpus(spec.name, spec.split, root=data_root, config=config)
        except (KeyError, ValueError, FileNotFoundError) as exc:
            raise ConfigError(f"corpus {spec.name!r} split {spec.split!r}: {exc}") from None
        if corpus.evaluation_only:
            raise ConfigError(f"corpus {spec.name!r} is evaluation-only and cannot be trained on")
        docs = corpus.documents[: spec.limit] if spec.limit else list(corpus.documents)
        bad = {e.label for d in docs for e in d.entities} - set(labels)
        if bad:
            raise ConfigError(f"corpus {spec.name!r}: labels outside the schema: {sorted(bad)}")
        whole, frac = int(spec.weight), spec.weight - int(spec.weight)
        chosen = docs * whole + (rng.sample(docs, round(frac * len(docs))) if frac else [])
        out.extend((d, tuple(corpus.annotates), corpus.has_relations, spec.name) for d in chosen)
    if not out:
        raise ConfigError("the training set is empty: the listed corpora hold no documents")
    return out


def build_windows(items, tokenizer, prefix, suffix, max_length, stride, relation_window, tag2id, progress: bool = True):
    from tqdm.auto import tqdm

    stats = BuildStats()
    windows: list[WindowInput] = []
    for doc, annotates, has_rel, name in tqdm(items, desc="windows", disable=not progress, mininterval=2):
        wins, lost = document_windows(doc, tokenizer, prefix, suffix, max_length, stride, annotates, has_rel, relation_window, tag2id)
        stats.documents += 1
        stats.windows += len(wins)
        stats.tokens += sum(len(w.input_ids) for w in wins)
        stats.unplaced_entities += lost
        stats.per_corpus[name] = stats.per_corpus.get(name, 0) + len(wins)
        windows.extend(wins)
    return windows, stats
