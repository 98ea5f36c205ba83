"""The `conflict-ner` command: one module per subcommand, a thin dispatcher in main.py."""
