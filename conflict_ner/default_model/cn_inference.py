"""The extraction engine behind the pipeline, the CLI and evaluation.

Texts -> windows (all texts of a call pooled, sorted by length, padded per batch) -> one
encoder pass per window feeding all heads -> owned-region tags stitched per text -> entities
with raw offsets -> count values -> side links -> casualty records.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch

from .cn_backends import autocast_dtype, resolve_backend
from .cn_collate import collate_windows
from .cn_counts import parse_count
from .cn_decoding import apply_span_rules, bio_spans, decode_tags, merge_count_pieces, select_links
from .cn_features import EncodedText, add_span_targets, encode_text, special_tokens, window_inputs
from .cn_configuration import HEAD_DEFAULTS
from .cn_outcome_cues import apply_outcome_cues
from .cn_side_rules import apply_relation_rules, share_headline_sides

CONTEXT_CHARS = 40  # raw characters either side of a count searched for qualifiers


def resolve_dtype(dtype: str | torch.dtype | None, device: torch.device) -> torch.dtype:
    """The autocast dtype of an Extractor that runs its model as given: bf16 or fp32 ('auto': bf16
    where the hardware runs it fast). The backends that run another model (int8, onnx, onnx-int8)
    are the pipeline's: see conflict_ner.backends."""
    name = resolve_backend(dtype, device)
    if name not in ("fp32", "bf16"):
        raise ValueError(f"{name} runs a converted model: use pipeline('conflict-extraction', model=..., "
                         f"compute_dtype={name!r}), not an Extractor over the PyTorch model")
    return autocast_dtype(name)


def check_text(x) -> str:
    if not isinstance(x, str):
        raise TypeError(f"conflict-extraction expects str or a list of str, got {type(x).__name__}")
    return x


@dataclass
class Extractor:
    model: object
    tokenizer: object
    max_length: int = 256
    stride: int = 32
    batch_size: int = 16
    dtype: torch.dtype = torch.float32
    max_windows_in_flight: int = 256  # bounds memory on huge inputs
    backend: str = "fp32"  # what runs the model (set by the pipeline; see conflict_ner.backends)
    keep_link_candidates: bool = False  # results carry every scored (count, actor) pair, for tuning

    def __post_init__(self):
        self.prefix, self.suffix = special_tokens(self.tokenizer)
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        self.id2tag = _id2tag(self.model.config)
        cap = getattr(self.model.config, "max_position_embeddings", 512)
        self.max_length = min(self.max_length, cap)

    def tags_of(self, dist: list[list[float]]) -> list[str]:
        """Tags of consecutive units from their tag distributions (the config's ``tag_decoder``)."""
        return decode_tags(dist, self.id2tag, _setting(self.model.config, "tag_decoder"))

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def _autocast(self):
        if self.dtype == torch.float32:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)

    def encode(self, text: str) -> EncodedText:
        return encode_text(text, self.tokenizer, self.max_length, self.stride, len(self.prefix), len(self.suffix))

    @torch.inference_mode()
    def extract(self, texts: list[str], gold_entities: list[list[dict]] | None = None) -> list[dict]:
        """Results for each text. With ``gold_entities`` (dicts with label/start/end, per text), the
        entity decoder is skipped and the relation and outcome heads score those spans."""
        texts = [check_text(t) for t in texts]
        results: list[dict | None] = [None] * len(texts)
        group: list[int] = []
        n_windows = 0
        for i, t in enumerate(texts):
            group.append(i)
            n_windows += max(1, len(t) // 600)
            if n_windows >= self.max_windows_in_flight:
                self._run_group(texts, group, gold_entities, results)
                group, n_windows = [], 0
        if group:
            self._run_group(texts, group, gold_entities, results)
        return results  # type: ignore[return-value]

    def _run_group(self, texts, group, gold_entities, results):
        encs = {i: self.encode(texts[i]) for i in group}
        states = {i: _DocState(encs[i]) for i in group}
        gold_spans = {}
        if gold_entities is not None:
            for i in group:
                gold_spans[i] = _gold_unit_spans(encs[i], gold_entities[i])
        wins = [wi for i in group for wi in window_inputs(encs[i], self.prefix, self.suffix, i)]
        wins.sort(key=lambda w: len(w.input_ids))
        self.model.eval()
        for b in range(0, len(wins), self.batch_size):
            batch = wins[b : b + self.batch_size]
            tensors = collate_windows(batch, self.pad_id)
            ids = tensors["input_ids"].to(self.device)
            mask = tensors["attention_mask"].to(self.device)
            with self._autocast():
                hidden = self.model.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
                probs = self.model.classifier(hidden).float().softmax(-1)
            for k, wi in enumerate(batch):
                st = states[wi.doc]
                pos = torch.tensor(wi.first_token, device=self.device)
                dist = probs[k, pos].tolist()
                st.take(wi, dist)
                spans = gold_spans[wi.doc] if gold_entities is not None else [
                    (a, e, lab, None) for a, e, lab in decode_rules(self.model.config, st.enc, [
                        (a + wi.window.start, e + wi.window.start, lab)
                        for a, e, lab in bio_spans(self.tags_of(dist), st.enc.is_word[wi.window.start : wi.window.end])])
                ]
                add_span_targets(wi, st.enc, spans, None, self.model.config.relation_window, own_only=True)
            span_batch = [wi for wi in batch if wi.counts]
            if span_batch:
                rows = [batch.index(wi) for wi in span_batch]
                t2 = collate_windows(span_batch, self.pad_id)
                dev = {k: v.to(self.device) for k, v in t2.items()}
                with self._autocast():
                    pair_logits, outcome_logits = self.model.span_heads(
                        hidden[rows], dev["spans"], dev.get("pairs"), dev.get("pair_features"), dev["count_index"])
                for k, wi in enumerate(span_batch):
                    pl = pair_logits[k].float().sigmoid().tolist() if pair_logits is not None else []
                    ol = outcome_logits[k].float().softmax(-1)
                    states[wi.doc].take_heads(wi, pl, ol)
        for i in group:
            results[i] = states[i].finish(self.model.config, gold_spans.get(i), self.keep_link_candidates)


def _gold_unit_spans(enc: EncodedText, entities: list[dict]) -> list[tuple[int, int, str, None]]:
    out = []
    for e in sorted(entities, key=lambda e: e["start"]):
        r = enc.char_to_unit(e["start"], e["end"])
        if r is not None:
            out.append((r[0], r[1], e["label"], None))
    return out


class _DocState:
    """What one text accumulates while its windows come back in any order."""

    def __init__(self, enc: EncodedText):
        self.enc = enc
        n = len(enc.units)
        self.dist: list[list[float] | None] = [None] * n  # tag distribution of each unit
        self.pair_scores: dict[tuple[int, int], dict[tuple[int, int], tuple[float, int]]] = {}
        self.outcomes: dict[tuple[int, int], list[float]] = {}

    def take(self, wi, dist):
        w = wi.window
        for u in range(w.own_start, w.own_end):
            self.dist[u] = dist[u - w.start]

    def take_heads(self, wi, pair_probs, outcome_probs):
        for k, (ci, ai) in enumerate(wi.pairs):
            c, a = wi.spans[ci], wi.spans[ai]
            self.pair_scores.setdefault(c, {})[a] = (pair_probs[k], wi.pair_feats[k][0])
        for k, ci in enumerate(wi.counts):
            self.outcomes[wi.spans[ci]] = outcome_probs[k].tolist()

    def finish(self, config, gold_spans=None, keep_candidates: bool = False) -> dict:
        enc = self.enc
        raw = enc.norm.raw
        id2tag = _id2tag(config)
        tag2id = {v: k for k, v in id2tag.items()}
        outside = [float(k == tag2id["O"]) for k in range(len(id2tag))]  # a unit no window owned
        dist = [d if d is not None else outside for d in self.dist]
        tags = decode_tags(dist, id2tag, _setting(config, "tag_decoder"))
        tag_prob = [d[tag2id[t]] for d, t in zip(dist, tags)]
        if gold_spans is not None:
            spans = [(a, b, lab) for a, b, lab, _ in gold_spans]
        else:
            spans = decode_rules(config, enc, bio_spans(tags, enc.is_word))
        entities, outcome_probs = [], {}
        for a, b, label in spans:
            s, e = enc.unit_to_raw(a, b)
            score = sum(tag_prob[a:b]) / (b - a)
            ent = {"label": label, "text": raw[s:e], "start": s, "end": e, "score": round(float(score), 4)}
            if label == "COUNT":
                info = parse_count(raw[s:e], raw[max(0, s - CONTEXT_CHARS) : s], raw[e : e + CONTEXT_CHARS])
                ent.update(info.to_json())
                probs = self.outcomes.get((a, b))
                if probs:
                    outcome_probs[len(entities)] = probs
                    k = max(range(len(probs)), key=probs.__getitem__)
                    ent["outcome"] = config.outcome_labels[k]
                    ent["outcome_score"] = round(probs[k], 4)
                else:
                    ent["outcome"], ent["outcome_score"] = None, 0.0
            entities.append(ent)
        index = {(a, b): k for k, (a, b, _) in enumerate(spans)}
        candidates: dict[int, list[tuple[int, float, int]]] = {}
        for c, actors in self.pair_scores.items():
            if c not in index:
                continue
            for a, (prob, dist) in actors.items():
                j = index.get(a)
                if j is None or spans[j][2] != "ACTOR":  # the owning window may have read it differently
                    j = _overlapping(spans, a, "ACTOR")
                if j is not None:
                    candidates.setdefault(index[c], []).append((j, prob, dist))
        if _setting(config, "outcome_cues"):
            apply_outcome_cues(raw, entities, outcome_probs, list(config.outcome_labels), _setting(config, "outcome_cue_min_prob"))
        links = decode_links(config, raw, entities, candidates)
        relations = [{"count": c, "actor": a, "label": "side", "score": round(p, 4)} for c, a, p in links]
        out = {"entities": entities, "relations": relations, "casualties": casualty_records(entities, relations)}
        if keep_candidates:
            out["link_candidates"] = {c: sorted(v) for c, v in candidates.items()}  # count -> [(actor, prob, distance)]
        return out


def decode_links(config, text: str, entities: list[dict], candidates: dict[int, list[tuple[int, float, int]]],
                 threshold: float | None = None, extra_threshold: float | None = None) -> list[tuple[int, int, float]]:
    """(count, actor, score) links: the pair head's candidates through the config's thresholds (or the
    ones given, for tuning), then the spec's document-level side rules."""
    if threshold is None:
        threshold, extra_threshold = config.relation_threshold, getattr(config, "relation_extra_threshold", None)
    links = select_links(candidates, [e["text"] for e in entities], threshold, extra_threshold)
    if _setting(config, "share_headline_sides"):
        links = share_headline_sides(text, entities, links)
    if _setting(config, "relation_rules"):
        links = apply_relation_rules(text, entities, links)
    return links


def decode_rules(config, enc: EncodedText, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Pieces of one number joined, then the spec's span rules (the config's ``span_rules``)."""
    spans = merge_count_pieces(spans, enc.units, enc.norm.text)
    if _setting(config, "span_rules"):
        spans = apply_span_rules(spans, enc.units, enc.is_word, enc.norm.text)
    return spans


def _id2tag(config) -> dict[int, str]:
    return {int(k): v for k, v in config.id2label.items()}


def _setting(config, key: str):
    """A decoding setting of the config, or its default (HEAD_DEFAULTS) on configs that predate it."""
    return getattr(config, key, HEAD_DEFAULTS[key])


def _overlapping(spans, unit_span, label):
    a, b = unit_span
    best, best_overlap = None, 0
    for k, (s, e, lab) in enumerate(spans):
        ov = min(b, e) - max(a, s)
        if lab == label and ov > best_overlap:
            best, best_overlap = k, ov
    return best


def casualty_records(entities: list[dict], relations: list[dict]) -> list[dict]:
    """One record per COUNT: value, qualifier, outcome and the side(s) it belongs to."""
    sides: dict[int, list[dict]] = {}
    for r in relations:
        a = entities[r["actor"]]
        sides.setdefault(r["count"], []).append({"text": a["text"], "start": a["start"], "end": a["end"], "score": r["score"]})
    out = []
    for k, e in enumerate(entities):
        if e["label"] != "COUNT":
            continue
        out.append({
            "count": k, "text": e["text"], "start": e["start"], "end": e["end"], "value": e.get("value"),
            "approximate": e.get("approximate", False), "qualifier": e.get("qualifier"), "outcome": e.get("outcome"),
            "sides": sides.get(k, []),
        })
    return out


