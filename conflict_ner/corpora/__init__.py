"""Corpus readers: the spec's JSONL, CoNLL/BIO corpora with declared label maps, and authored sources."""
