"""The grammar (`diffcli.lark`) and the LALR tables generated from it (`tables.py`)."""
