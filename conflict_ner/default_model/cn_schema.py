"""The label schema of ../ANNOTATION_SPEC.md: the one place labels, tags and outcomes live."""

from __future__ import annotations

ENTITY_LABELS: tuple[str, ...] = ("ACTOR", "PERSON", "LOCATION", "DATE", "COUNT")
OUTCOMES: tuple[str, ...] = ("killed", "wounded", "missing", "captured", "displaced", "other")
RELATION_TYPES: tuple[str, ...] = ("side",)
# The only relation: a COUNT points to the ACTOR whose people it counts.
RELATION_ARGS: dict[str, tuple[str, str]] = {"side": ("COUNT", "ACTOR")}

BIO_TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{lab}" for lab in ENTITY_LABELS for p in ("B", "I"))
TAG2ID: dict[str, int] = {t: i for i, t in enumerate(BIO_TAGS)}
ID2TAG: dict[int, str] = {i: t for t, i in TAG2ID.items()}
OUTCOME2ID: dict[str, int] = {o: i for i, o in enumerate(OUTCOMES)}

# Label id used by PyTorch losses for positions that carry no supervision.
IGNORE_INDEX = -100


def tag_label(tag: str) -> str | None:
    """'B-COUNT' -> 'COUNT'; 'O' -> None."""
    return None if tag == "O" else tag.split("-", 1)[1]


def is_valid_label(label: str) -> bool:
    return label in ENTITY_LABELS
