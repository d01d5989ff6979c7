"""diffcli: symbolic-plus-numeric differentiation from the shell."""

__version__ = "0.1.0"
