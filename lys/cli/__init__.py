"""The ``manage.py`` command line and the helpers app commands use."""

from lys.cli.group import run
from lys.cli.state import CLIState, pass_application

__all__ = ["CLIState", "main", "pass_application", "run"]


def main() -> None:
    """The ``lys`` console script: the same commands, ``startproject`` first of all."""
    run(prog_name="lys")
