"""Command-line interface: `aacap SUBCOMMAND ...`."""

def main() -> None:
    pass
