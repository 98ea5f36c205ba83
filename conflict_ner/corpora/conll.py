"""Read CoNLL/BIO corpora (ANERcorp, FANE, Wojood, AQMAR) into the spec's :class:`Document`.

One document per sentence. The raw text is the tokens joined by single spaces, so every
entity offset is exact in it. What the reader changes is counted, never done silently:

- ``marks_removed``: BOM, LRM/RLM (U+200E/U+200F) and other bidi controls deleted from
  tokens; a token that was only marks (or empty) is dropped (``tokens_dropped``), as are
  tokens a corpus lists under ``drop_tokens`` (Wojood's ``$#$`` paragraph marker).
- ``tag_fixes``: tags rewritten through the corpus's ``tag_aliases`` (AQMAR's ``OO``, ``I--ORG``).
- ``repairs``: invalid BIO (an ``I-X`` at the start, after ``O`` or after another type)
  read as seqeval's default (conlleval) mode reads it: such an ``I-X`` starts a new entity.
  Decoding happens on the corpus's own types, before mapping, so mapping two corpus types
  onto one label (Wojood ORG and NORP -> ACTOR) never merges two entities.
- ``trimmed``: an entity whose edge is punctuation (``"داعش``) is trimmed to word edges
  (the spec's word rule); ``dropped``: an entity with no word character at all, or one
  that crosses an entity already kept.
- ``nested``: with several tag columns (Wojood), a mapped entity inside a longer mapped
  entity; the outermost entity that maps is kept (an ``OCC`` mapped to O gives way to the
  ``ORG`` and ``GPE`` inside it; an ``ORG`` holding a ``GPE`` stays one ACTOR).
- ``count_rejected`` / ``count_merged``: the corpus's ``count_rule`` (Wojood CARDINAL ->
  COUNT only where it counts people) rejects numbers of other things; adjacent pieces of one
  spelled-out number (each tagged ``B-CARDINAL``) are merged first.
- ``unmapped``: entities of corpus types that the label map sends to ``O``, per type.

The format is declared per corpus (configs/corpora/*.yaml) and read by
:meth:`ConllFormat.from_config`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..document import Document, Entity
from ..schema import ENTITY_LABELS
from ..text.words import is_word_char

# Deleted from tokens: BOM/ZWNBSP, LRM, RLM, ALM, bidi embeddings/overrides and isolates.
MARKS = frozenset("\ufeff\u200e\u200f\u061c" + "".join(map(chr, range(0x202A, 0x202F))) + "".join(map(chr, range(0x2066, 0x206A))))
_MARKS_RE = re.compile("[" + "".join(sorted(MARKS)) + "]")
SENTENCE_END_TOKENS = (".", "!", "?", "؟")
_TAG_RE = re.compile(r"^([BI])-(.+)$")


class ConllFormatError(ValueError):
    """A line or tag the declared format cannot read; the message names file and line."""


@dataclass
class ReadStats:
    sentences: int = 0
    tokens: int = 0
    entities: Counter = field(default_factory=Counter)  # schema label -> kept entities
    repairs: int = 0
    tag_fixes: int = 0
    trimmed: int = 0
    dropped: int = 0
    nested: int = 0
    count_rejected: int = 0
    count_merged: int = 0
    marks_removed: int = 0
    tokens_dropped: int = 0
    unmapped: Counter = field(default_factory=Counter)  # corpus type -> entities mapped to O

    def add(self, other: ReadStats) -> ReadStats:
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, Counter):
                a.update(b)
            else:
                setattr(self, f.name, a + b)
        return self

    def to_json(self) -> dict[str, Any]:
        return {f.name: dict(getattr(self, f.name)) if isinstance(getattr(self, f.name), Counter) else getattr(self, f.name)
                for f in fields(self)}


# --- the count rule --------------------------------------------------------------------------

_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_PROCLITICS = ("وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال", "و", "ف", "ب", "ل", "ك")


def _fold(word: str) -> str:
    return _AR_DIACRITICS.sub("", word).translate(_AR_FOLD)


def _forms(word: str) -> set[str]:
    """The folded word and the word without each leading proclitic (و، ف، ب، ل، ك، ال and their combinations)."""
    w = _fold(word)
    out = {w}
    for p in _PROCLITICS:
        if w.startswith(p) and len(w) - len(p) >= 2:
            out.add(w[len(p):])
    return out


@dataclass
class CountRule:
    """Which corpus entities (``types``) count people: a listed person/member noun within
    ``window`` tokens after the number, or a listed casualty word within ``window`` tokens
    before it. Words are compared folded (diacritics, tatweel removed; أإآ→ا, ى→ي, ة→ه) with
    a leading proclitic stripped. ``strip_leading`` words (``بحوالي``) are trimmed off the span."""

    types: frozenset[str]
    window: int = 2
    person_nouns: frozenset[str] = frozenset()
    casualty_words: frozenset[str] = frozenset()
    strip_leading: frozenset[str] = frozenset()
    merge_adjacent: bool = True

    @classmethod
    def from_config(cls, cfg: dict[str, Any] | None) -> CountRule | None:
        if not cfg:
            return None
        fold = lambda ws: frozenset(_fold(w) for w in ws or ())  # noqa: E731
        return cls(types=frozenset(cfg.get("types", ())), window=int(cfg.get("window", 2)),
                   person_nouns=fold(cfg.get("person_nouns")), casualty_words=fold(cfg.get("casualty_words")),
                   strip_leading=fold(cfg.get("strip_leading")), merge_adjacent=bool(cfg.get("merge_adjacent", True)))

    def _is(self, token: str, words: frozenset[str]) -> bool:
        return bool(_forms(token) & words)

    def counts_people(self, tokens: list[str], i: int, j: int) -> bool:
        """Does the number at tokens[i..j] (inclusive) count people?"""
        after = tokens[j + 1 : j + 1 + self.window]
        before = tokens[max(0, i - self.window) : i]
        return any(self._is(t, self.person_nouns) for t in after) or any(self._is(t, self.casualty_words) for t in before)


# --- the format ------------------------------------------------------------------------------

@dataclass
class ConllFormat:
    corpus: str
    label_map: dict[str, str]  # corpus entity type -> schema label or "O"
    annotates: tuple[str, ...]
    separator: str = "whitespace"  # or "tab"
    token_column: int = 0
    tag_columns: list[int] | str = field(default_factory=lambda: [1])  # or "rest": every column after the token
    sentence_breaks: str = "auto"  # "blank" | "punctuation" | "auto" (blank lines if the file has any)
    sentence_end_tokens: tuple[str, ...] = SENTENCE_END_TOKENS
    tag_aliases: dict[str, str] = field(default_factory=dict)
    drop_tokens: frozenset[str] = frozenset()
    count_rule: CountRule | None = None

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> ConllFormat:
        cols = cfg.get("columns") or {}
        tags = cols.get("tags", [1])
        if not (tags == "rest" or (isinstance(tags, list) and all(isinstance(c, int) for c in tags))):
            raise ValueError(f"corpus {cfg.get('name')!r}: columns.tags must be a list of column numbers or 'rest', got {tags!r}")
        label_map = {str(k): str(v) for k, v in (cfg.get("label_map") or {}).items()}
        # A benchmark on a corpus's native types declares them as `labels`; otherwise the schema's.
        allowed = tuple(cfg.get("labels") or ENTITY_LABELS)
        bad = sorted({v for v in label_map.values() if v != "O" and v not in allowed})
        if bad:
            raise ValueError(f"corpus {cfg.get('name')!r}: label_map targets {bad} are not labels {allowed} or O")
        return cls(
            corpus=str(cfg["name"]),
            label_map=label_map,
            annotates=tuple(cfg.get("annotates") or ()),
            separator=cols.get("separator", "whitespace"),
            token_column=int(cols.get("token", 0)),
            tag_columns=tags,
            sentence_breaks=cfg.get("sentence_breaks", "auto"),
            sentence_end_tokens=tuple(cfg.get("sentence_end_tokens") or SENTENCE_END_TOKENS),
            tag_aliases={str(k): str(v) for k, v in (cfg.get("tag_aliases") or {}).items()},
            drop_tokens=frozenset(cfg.get("drop_tokens") or ()),
            count_rule=CountRule.from_config(cfg.get("count_rule")),
        )


@dataclass
class ConllFile:
    path: Path
    documents: list[Document]
    stats: ReadStats


@dataclass
class _Row:
    line: int
    token: str
    tags: list[str]
    marks: int = 0  # marks removed on this line and the skipped lines before it
    dropped: int = 0  # tokens dropped just before it
    fixes: int = 0  # tags rewritten through tag_aliases on this line


@dataclass
class _Span:
    type: str
    i: int  # first token
    j: int  # last token, inclusive
    column: int


def decode_bio(tags: list[str]) -> tuple[list[tuple[str, int, int]], int]:
    """Entities ``(type, first, last)`` of one BIO column read as seqeval reads it, and the
    number of repairs (``I-X`` tags that had to start an entity)."""
    spans: list[tuple[str, int, int]] = []
    repairs = 0
    cur: list[Any] | None = None
    for k, tag in enumerate(tags):
        m = _TAG_RE.match(tag)
        if m is None:  # "O"
            if cur:
                spans.append(tuple(cur)); cur = None
            continue
        prefix, typ = m.groups()
        if prefix == "I" and cur is not None and cur[0] == typ:
            cur[2] = k
            continue
        if cur:
            spans.append(tuple(cur))
        if prefix == "I":
            repairs += 1
        cur = [typ, k, k]
    if cur:
        spans.append(tuple(cur))
    return spans, repairs


def _split_fields(line: str, fmt: ConllFormat) -> list[str]:
    if fmt.separator == "tab":
        return [f.strip(" ") for f in line.split("\t")]
    parts = line.split()
    # "  O": a line with an empty token (ANERCorp_full has a few).
    return [""] + parts if line[:1].isspace() else parts


def read_conll(
    path: str | Path,
    fmt: ConllFormat,
    *,
    split: str | None = None,
    select: Callable[[int], bool] | None = None,
    file_name: str | None = None,
) -> ConllFile:
    """Read one CoNLL file. ``select(sentence_index)`` keeps a subset of its sentences (a
    block split); stats cover only the kept sentences. Raises :class:`ConllFormatError` on a
    line or tag the format cannot read, and on a corpus type missing from the label map."""
    path = Path(path)
    name = file_name or path.name
    try:
        with open(path, encoding="utf-8", newline="") as f:
            raw = f.read()
    except UnicodeDecodeError as exc:
        raise ConllFormatError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    stats = ReadStats()

    # 1. lines -> rows (line number, token, tags, [marks removed, tokens dropped] up to this row)
    #    grouped into sentences at blank lines.
    sentences: list[list[_Row]] = []
    cur: list[_Row] = []
    pending = [0, 0]
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for lineno, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        n_marks = len(_MARKS_RE.findall(line))
        if n_marks:
            line = _MARKS_RE.sub("", line)
            pending[0] += n_marks
        if not line.strip():
            if cur:
                sentences.append(cur); cur = []
            continue
        parts = _split_fields(line, fmt)
        tc = fmt.token_column
        if fmt.tag_columns == "rest":
            tags = [t for t in parts[tc + 1 :] if t]
            if not tags:
                raise ConllFormatError(f"{path}:{lineno}: no tag after the token in {line!r}")
        else:
            need = max([tc, *fmt.tag_columns]) + 1
            if len(parts) != need:
                raise ConllFormatError(f"{path}:{lineno}: expected {need} columns ({fmt.separator}-separated), got {len(parts)} in {line!r}")
            tags = [parts[c] for c in fmt.tag_columns]
        token = parts[tc]
        fixed, n_fixes = [], 0
        for t in tags:
            if t in fmt.tag_aliases:
                t = fmt.tag_aliases[t]; n_fixes += 1
            if t != "O" and not _TAG_RE.match(t):
                raise ConllFormatError(f"{path}:{lineno}: tag {t!r} is neither O nor B-/I-TYPE (add it to tag_aliases)")
            fixed.append(t)
        if not token or token in fmt.drop_tokens:
            pending[1] += 1
            continue
        cur.append(_Row(lineno, token, fixed, pending[0], pending[1], n_fixes))
        pending = [0, 0]
    if cur:
        sentences.append(cur)
    if sentences and pending != [0, 0]:  # marks or dropped tokens after the last token
        last = sentences[-1][-1]
        last.marks += pending[0]; last.dropped += pending[1]

    breaks = fmt.sentence_breaks
    if breaks == "auto":
        breaks = "blank" if len(sentences) > 1 else "punctuation"
    if breaks == "punctuation":
        rows = [r for s in sentences for r in s]
        ends = {k for k, r in enumerate(rows) if r.token in fmt.sentence_end_tokens and all(t == "O" for t in r.tags)}
        sentences, cut = [], 0
        for k in sorted(ends | {len(rows) - 1}):
            if k >= cut:
                sentences.append(rows[cut : k + 1]); cut = k + 1
    elif breaks != "blank":
        raise ValueError(f"corpus {fmt.corpus!r}: sentence_breaks must be blank, punctuation or auto, got {breaks!r}")

    # 2. sentences -> documents.
    docs: list[Document] = []
    stem = Path(name).stem
    for idx, rows in enumerate(sentences):
        if select is not None and not select(idx):
            continue
        stats.marks_removed += sum(r.marks for r in rows)
        stats.tokens_dropped += sum(r.dropped for r in rows)
        stats.tag_fixes += sum(r.fixes for r in rows)
        doc = _build_document(rows, fmt, stats, path, doc_id=f"{fmt.corpus}/{stem}/{idx}")
        doc.meta = {"corpus": fmt.corpus, "split": split, "file": name, "sentence": idx, "line": rows[0].line,
                    "annotates": list(fmt.annotates)}
        docs.append(doc)
    return ConllFile(path=path, documents=docs, stats=stats)


def _build_document(rows: list[_Row], fmt: ConllFormat, stats: ReadStats, path: Path,
                    doc_id: str) -> Document:
    tokens = [r.token for r in rows]
    starts, pos = [], 0
    for t in tokens:
        starts.append(pos); pos += len(t) + 1
    text = " ".join(tokens)
    stats.sentences += 1
    stats.tokens += len(tokens)

    n_cols = max(len(r.tags) for r in rows)
    spans: list[_Span] = []
    for c in range(n_cols):
        column = [r.tags[c] if c < len(r.tags) else "O" for r in rows]
        found, rep = decode_bio(column)
        stats.repairs += rep
        spans.extend(_Span(t, i, j, c) for t, i, j in found)

    for s in spans:
        if s.type not in fmt.label_map:
            raise ConllFormatError(f"{path}:{rows[s.i].line}: corpus type {s.type!r} has no entry in the label_map of {fmt.corpus!r}")

    rule = fmt.count_rule
    if rule is not None:
        spans = _apply_count_rule(spans, tokens, rule, stats)

    # map, cut to word edges, then keep the outermost non-overlapping entities.
    cands: list[tuple[int, int, str, int]] = []
    for s in spans:
        label = fmt.label_map[s.type]
        if label == "O":
            stats.unmapped[s.type] += 1
            continue
        a, b = starts[s.i], starts[s.j] + len(tokens[s.j])
        a2, b2 = a, b
        while a2 < b2 and not is_word_char(text[a2]):
            a2 += 1
        while b2 > a2 and not is_word_char(text[b2 - 1]):
            b2 -= 1
        if a2 >= b2:
            stats.dropped += 1
            continue
        if (a2, b2) != (a, b):
            stats.trimmed += 1
        cands.append((a2, b2, label, s.column))
    cands.sort(key=lambda x: (-(x[1] - x[0]), x[3], x[0]))
    kept: list[tuple[int, int, str]] = []
    for a, b, label, _ in cands:
        clash = [k for k in kept if a < k[1] and k[0] < b]
        if not clash:
            kept.append((a, b, label))
        elif all(k[0] <= a and b <= k[1] for k in clash):
            stats.nested += 1
        else:
            stats.dropped += 1  # crosses a longer entity: cannot be kept flat
    kept.sort()
    ents = []
    for n, (a, b, label) in enumerate(kept):
        ents.append(Entity(id=n, label=label, start=a, end=b))
        stats.entities[label] += 1
    return Document(id=doc_id, text=text, entities=ents)


def _apply_count_rule(spans: list[_Span], tokens: list[str], rule: CountRule, stats: ReadStats) -> list[_Span]:
    counted = sorted((s for s in spans if s.type in rule.types), key=lambda s: (s.column, s.i))
    rest = [s for s in spans if s.type not in rule.types]
    if rule.merge_adjacent:
        merged: list[_Span] = []
        for s in counted:
            prev = merged[-1] if merged else None
            if prev is not None and prev.column == s.column and prev.type == s.type and prev.j + 1 == s.i:
                prev.j = s.j; stats.count_merged += 1
            else:
                merged.append(_Span(s.type, s.i, s.j, s.column))
        counted = merged
    out = []
    for s in counted:
        i = s.i
        while i < s.j and _forms(tokens[i]) & rule.strip_leading:
            i += 1
        if rule.counts_people(tokens, i, s.j):
            if i != s.i:
                stats.trimmed += 1
                s.i = i
            out.append(s)
        else:
            stats.count_rejected += 1
            stats.unmapped[s.type] += 1
    return rest + out
