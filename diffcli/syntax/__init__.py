"""Layer 2, the language: the grammar and its LALR tables, the parser, the hints for slips,
`--at` values and the path rule. Imports the core."""
