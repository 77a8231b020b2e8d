"""`python -m server.cli …`: the `hotline` command without its installed script."""

from server.cli import app

app()
