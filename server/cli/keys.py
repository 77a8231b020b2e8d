"""`hotline key create|list|revoke`: the keys every route and WebSocket asks for (server/access.py).

A key is printed once, when it is made; the database keeps only its hash, so a lost key is
revoked and made again, never looked up.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from server.cli.admin import DatabaseOption, UserError, console, err_console, open_database, user_errors
from server.storage.db import NotFound
from server.storage.keys import KeyRequestError, Role, create_key, list_keys, revoke_key

key_app = typer.Typer(
    help="API keys: one per role, a unit's naming its unit; shown once, stored hashed.", no_args_is_help=True
)
_BEIJING = ZoneInfo("Asia/Shanghai")


@key_app.command("create")
def key_create(
    role: Annotated[Role, typer.Option(help="Who the key speaks for.", case_sensitive=False)],
    unit: Annotated[str | None, typer.Option(help="For a unit key: the handling unit it acts for.")] = None,
    label: Annotated[str, typer.Option(help="A note to tell keys apart (who holds it).")] = "",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print the key alone (for scripts).")] = False,
    database: DatabaseOption = None,
) -> None:
    """Make a key and print it: this is the only time it is shown."""
    with user_errors(), open_database(database, migrate=True) as engine:
        try:
            row, key = create_key(engine, role, unit=unit, label=label)
        except KeyRequestError as exc:
            raise UserError(str(exc)) from None
    if quiet:
        print(key)
        return
    held_by = f" for {row.unit}" if row.unit else ""
    err_console.print(f"key {row.id}: {row.role}{held_by}. Keep it now, it is not shown again:")
    print(key)


@key_app.command("list")
def key_list(
    all_keys: Annotated[bool, typer.Option("--all", help="Revoked keys too.")] = False,
    database: DatabaseOption = None,
) -> None:
    """The keys (their first characters only), newest last."""
    with user_errors(), open_database(database, migrate=False) as engine:
        rows = list_keys(engine, include_revoked=all_keys)
    table = Table()
    # What tells keys apart never wraps; the rest does, on a narrow terminal.
    for name in ("id", "key", "role", "unit"):
        table.add_column(name, no_wrap=True)
    for name in ("label", "created (Beijing)", "revoked"):
        table.add_column(name)
    for row in rows:
        revoked = f"{row.revoked_at.astimezone(_BEIJING):%Y-%m-%d %H:%M}" if row.revoked_at else ""
        table.add_row(
            str(row.id),
            row.prefix + "…",
            row.role,
            row.unit or "",
            row.label,
            f"{row.created_at.astimezone(_BEIJING):%Y-%m-%d %H:%M}",
            revoked,
        )
    console.print(table if rows else "no keys")


@key_app.command("revoke")
def key_revoke(
    key_id: Annotated[int, typer.Argument(metavar="ID", help="The key's id, from `hotline key list`.")],
    database: DatabaseOption = None,
) -> None:
    """Revoke a key: requests with it are refused from now on."""
    with user_errors(), open_database(database, migrate=False) as engine:
        try:
            row = revoke_key(engine, key_id)
        except NotFound as exc:
            raise UserError(str(exc)) from None
    console.print(f"key {row.id} ({row.role}{' for ' + row.unit if row.unit else ''}) revoked")
