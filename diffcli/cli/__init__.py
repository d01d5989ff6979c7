"""The command line: declarations (spec), argument reader (args), typer help app (app) and the
entry point (entry) that maps every failure to SPEC's exit codes."""

from diffcli.cli.entry import main, run

__all__ = ["main", "run"]
