"""The `hotline` commands: the app is in main.py, the admin commands in admin.py, `hotline llm` in llm.py.

`server.cli:app` is the console script's entry point (pyproject.toml); `python -m server.cli` runs it too.
"""

from server.cli.main import app

__all__ = ["app"]
