"""Offset-exact text handling: word rule, normalisation with offset maps, sentences, windows."""
