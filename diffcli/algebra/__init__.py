"""Layer 2, formulas: canonical forms, the textbook printer, the text and LaTeX printers and
their precedence. Imports the core."""
