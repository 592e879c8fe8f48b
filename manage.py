#!/usr/bin/env python
"""Runs the Lys command line for the reference project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("LYS_SETTINGS_MODULE", "apps.settings")
    from lys.cli import run

    run(sys.argv[1:])


if __name__ == "__main__":
    main()
