"""The `roleplay` command: one command, subcommands in small modules, heavy imports inside them."""

from __future__ import annotations

from roleplay.cli.app import main

__all__ = ["main"]
