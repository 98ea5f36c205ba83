"""Model folders: saving with remote code, the model card, publishing to the Hub."""
