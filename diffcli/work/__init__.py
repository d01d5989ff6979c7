"""Derivatives at work: uncertainty propagation (GUM), Newton's method, critical points."""
