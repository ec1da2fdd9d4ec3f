"""Subcommands of the `aacap` CLI, one module each."""
