"""Entity dicts as the engine returns them, built from surface strings (never counted offsets)."""

from __future__ import annotations


def count(text: str, surface: str, outcome: str, value: int | None = None, occurrence: int = 0) -> dict:
    s = -1
    for _ in range(occurrence + 1):
        s = text.index(surface, s + 1)
    return {"label": "COUNT", "text": surface, "start": s, "end": s + len(surface), "outcome": outcome,
            "outcome_score": 0.5, "value": value, "approximate": False}


def actor(text: str, surface: str) -> dict:
    s = text.index(surface)
    return {"label": "ACTOR", "text": surface, "start": s, "end": s + len(surface)}


def ents_of(text: str, items: list[tuple[str, str, int]]) -> list[dict]:
    """Entities from (surface, label, occurrence)."""
    out = []
    for surface, label, occ in items:
        e = count(text, surface, "killed", occurrence=occ) if label == "COUNT" else None
        if e is None:
            s = -1
            for _ in range(occ + 1):
                s = text.index(surface, s + 1)
            e = {"label": label, "text": surface, "start": s, "end": s + len(surface)}
        out.append(e)
    return out
