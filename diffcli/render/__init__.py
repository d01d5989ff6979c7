"""Renderers, one per output format; each dispatches on the op table."""
