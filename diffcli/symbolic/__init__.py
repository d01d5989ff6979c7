"""Feature: derivative formulas (`diff`, `--steps`, implicit, Taylor, vector calculus, `jvp`).
Imports compute and below, never another feature."""
