"""From text to model inputs and back: units, tokens, windows, labels and span positions.

Shared by training and inference so both see exactly the same windows and alignment.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from .cn_document import Document
from .cn_schema import OUTCOME2ID, TAG2ID
from .cn_normalize import NormalizedText, normalize
from .cn_windows import Window, build_windows, sentence_of_units, unit_spans

MAX_TOKENS_PER_UNIT = 24  # longer "words" (URLs, garbage) keep their first tokens only


def special_tokens(tokenizer) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after a single sequence (<s> .. </s>, [CLS] .. [SEP])."""
    with_sp = tokenizer("a", add_special_tokens=True)["input_ids"]
    bare = tokenizer("a", add_special_tokens=False)["input_ids"]
    for i in range(len(with_sp) - len(bare) + 1):
        if with_sp[i : i + len(bare)] == bare:
            return with_sp[:i], with_sp[i + len(bare) :]
    return [], []


@dataclass
class EncodedText:
    norm: NormalizedText
    units: list[tuple[int, int]]  # normalised char spans
    is_word: list[bool]
    sentence: list[int]
    unit_tokens: list[list[int]]
    windows: list[Window]

    def char_to_unit(self, raw_start: int, raw_end: int) -> tuple[int, int] | None:
        """Raw char span -> [first, last+1) units it covers, or None if it covers none."""
        idx = self.norm.raw_index
        ns = bisect.bisect_left(idx, raw_start)
        ne = bisect.bisect_left(idx, raw_end)
        starts = [u[0] for u in self.units]
        a = bisect.bisect_left(starts, ns)
        b = bisect.bisect_left(starts, ne)
        return (a, b) if a < b else None

    def unit_to_raw(self, a: int, b: int) -> tuple[int, int]:
        return self.norm.to_raw(self.units[a][0], self.units[b - 1][1])


def encode_text(text: str, tokenizer, max_length: int, stride: int, prefix_len: int = 1, suffix_len: int = 1) -> EncodedText:
    norm = normalize(text)
    units, is_word = unit_spans(norm.text)
    sentence = sentence_of_units(norm.text, units)
    unit_tokens: list[list[int]] = []
    if units:
        words = [norm.text[s:e] for s, e in units]
        enc = tokenizer(words, is_split_into_words=True, add_special_tokens=False, verbose=False)
        unit_tokens = [[] for _ in units]
        for tok, w in zip(enc["input_ids"], enc.word_ids()):
            if w is not None and len(unit_tokens[w]) < MAX_TOKENS_PER_UNIT:
                unit_tokens[w].append(tok)
        unk = tokenizer.unk_token_id if tokenizer.unk_token_id is not None else 0
        unit_tokens = [t or [unk] for t in unit_tokens]
    budget = max_length - prefix_len - suffix_len
    windows = build_windows([len(t) for t in unit_tokens], sentence, budget, stride)
    return EncodedText(norm, units, is_word, sentence, unit_tokens, windows)


@dataclass
class WindowInput:
    """One window ready for the model, with the positions needed to read predictions back."""

    doc: int
    window: Window
    input_ids: list[int]
    first_token: list[int]  # token position of each unit in window.start..window.end
    last_token: list[int]  # one past the unit's last token
    labels: list[list[int]] | None = None  # allowed tag ids at each token (None: unsupervised)
    spans: list[tuple[int, int]] = field(default_factory=list)  # unit ranges, window-global unit ids
    span_labels: list[str] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)  # indices into spans
    pair_labels: list[int] = field(default_factory=list)
    pair_feats: list[list[int]] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)  # indices into spans of COUNTs
    outcome_labels: list[int] = field(default_factory=list)


def window_inputs(enc: EncodedText, prefix: list[int], suffix: list[int], doc_index: int = 0) -> list[WindowInput]:
    out = []
    for w in enc.windows:
        ids = list(prefix)
        first, last = [], []
        for u in range(w.start, w.end):
            first.append(len(ids))
            ids.extend(enc.unit_tokens[u])
            last.append(len(ids))
        ids.extend(suffix)
        out.append(WindowInput(doc_index, w, ids, first, last))
    return out


def pair_features(enc: EncodedText, count: tuple[int, int], actor: tuple[int, int], actor_starts: list[int]) -> list[int]:
    """Signed distance in words (actor minus count), same sentence, ACTOR mentions strictly between."""
    if actor[0] >= count[1]:
        dist = sum(enc.is_word[count[1] : actor[0]]) + 1
        lo, hi = count[1], actor[0]
    else:
        dist = -(sum(enc.is_word[actor[1] : count[0]]) + 1)
        lo, hi = actor[1], count[0]
    between = bisect.bisect_left(actor_starts, hi) - bisect.bisect_left(actor_starts, lo)
    return [dist, int(enc.sentence[count[0]] == enc.sentence[actor[0]]), between]


def add_span_targets(wi: WindowInput, enc: EncodedText, spans: list[tuple[int, int, str, str | None]],
                     links: set[tuple[int, int]] | None, relation_window: int, own_only: bool) -> None:
    """Fill the window's span/pair/count lists from entity spans (unit ranges, label, outcome).

    ``links`` holds (count index, actor index) into ``spans`` for supervision (None: no relation
    labels).
    """
    w = wi.window
    local = [k for k, (a, b, _, _) in enumerate(spans) if a >= w.start and b <= w.end]
    index = {k: i for i, k in enumerate(local)}
    wi.spans = [(spans[k][0], spans[k][1]) for k in local]
    wi.span_labels = [spans[k][2] for k in local]
    actors = [k for k in local if spans[k][2] == "ACTOR"]
    actor_starts = sorted(spans[k][0] for k in actors)
    for k in local:
        a, b, label, outcome = spans[k]
        if label != "COUNT" or (own_only and not (w.own_start <= a < w.own_end)):
            continue
        wi.counts.append(index[k])
        wi.outcome_labels.append(enc_outcome(outcome))
        for j in actors:
            if abs(spans[j][0] - a) > relation_window:
                continue
            wi.pairs.append((index[k], index[j]))
            wi.pair_labels.append(-1 if links is None else int((k, j) in links))
            wi.pair_feats.append(pair_features(enc, (a, b), (spans[j][0], spans[j][1]), actor_starts))


def enc_outcome(outcome: str | None) -> int:
    return OUTCOME2ID.get(outcome, -1) if outcome else -1


def document_targets(enc: EncodedText, doc: Document) -> tuple[list[tuple[int, int, str, str | None]], set[tuple[int, int]], int]:
    """Gold entities as unit ranges, gold links as index pairs, and the number of entities that
    could not be placed on units (reported, never silently dropped)."""
    spans, id_to_k, lost = [], {}, 0
    for e in sorted(doc.entities, key=lambda e: e.start):
        r = enc.char_to_unit(e.start, e.end)
        if r is None:
            lost += 1
            continue
        id_to_k[e.id] = len(spans)
        spans.append((r[0], r[1], e.label, e.outcome))
    links = {(id_to_k[r.from_id], id_to_k[r.to_id]) for r in doc.relations if r.from_id in id_to_k and r.to_id in id_to_k}
    return spans, links, lost


def unit_tags(n_units: int, spans: list[tuple[int, int, str, str | None]]) -> list[str]:
    tags = ["O"] * n_units
    for a, b, label, _ in spans:
        tags[a] = f"B-{label}"
        for u in range(a + 1, b):
            tags[u] = f"I-{label}"
    return tags


def allowed_tags(tag: str, annotates, tag2id: dict[str, int] = TAG2ID) -> list[int]:
    """Tag ids the gold permits at a unit: the tag itself, and where the corpus says O, also the
    tags of labels it never annotates (partial labels)."""
    if tag != "O":
        return [tag2id[tag]]
    missing = {t.split("-", 1)[1] for t in tag2id if t != "O"} - set(annotates)
    return [tag2id["O"]] + [tag2id[f"{p}-{lab}"] for lab in sorted(missing) for p in ("B", "I")]


def tag_set(labels) -> dict[str, int]:
    """BIO tag ids for a label list (the schema's by default)."""
    tags = ["O"] + [f"{p}-{lab}" for lab in labels for p in ("B", "I")]
    return {t: i for i, t in enumerate(tags)}


