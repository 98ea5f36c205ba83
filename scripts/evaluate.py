#!/usr/bin/env python
"""Same as `conflict-ner evaluate ...` (see conflict_ner/cli/evaluate.py)."""

import sys

from conflict_ner.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["evaluate", *sys.argv[1:]]))
