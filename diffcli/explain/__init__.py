"""Feature: the chain rule explained, the graph view, `check` and the language reference.
Imports compute and below, never another feature."""
