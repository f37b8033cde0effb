"""``python -m wfe`` runs the CLI."""

from wfe.cli import main

main()
