#!/usr/bin/env python
"""Same as `conflict-ner publish ...` (see conflict_ner/cli/publish.py)."""

import sys

from conflict_ner.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["publish", *sys.argv[1:]]))
