"""Feature: `minimize`, `fit` and `plot`. Imports compute and below, never another feature."""
