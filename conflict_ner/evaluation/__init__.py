"""Scores by the spec's rules: entities on raw offsets, relations by side and by mention, counts."""
