"""`hotline report --month YYYY-MM [--by unit|district|topic]`: the month's three rates, ranked."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from server.cli.admin import DatabaseOption, UserError, console, open_database, user_errors
from server.config import load_settings
from server.workflow.metrics import BadMonth, Dimension, MetricWeights, rates


def report(
    month: Annotated[str, typer.Option(help="The month, YYYY-MM (Beijing time).")],
    by: Annotated[Dimension, typer.Option(help="Rank units, districts or topics.", case_sensitive=False)] = (
        Dimension.UNIT
    ),
    database: DatabaseOption = None,
) -> None:
    """响应率, 解决率 and 满意率 from the month's callback surveys, with the composite score, ranked."""
    with user_errors(), open_database(database, migrate=False) as engine:
        try:
            weights = MetricWeights.from_settings(load_settings())
            rows = rates(engine, by, month, weights)
        except (BadMonth, ValueError) as exc:
            raise UserError(str(exc)) from None
    table = Table(title=f"{month}: {by.value}", caption=(
        f"score = {weights.response:g}×响应率 + {weights.resolution:g}×解决率 + {weights.satisfaction:g}×满意率; "
        f"满意率 counts 基本满意 as {weights.basic_satisfaction:g}"))
    for name in ("#", by.value, "answered", "响应率", "解决率", "满意率", "score"):
        table.add_column(name, justify="left" if name == by.value else "right")
    for row in rows:
        table.add_row(str(row.rank), row.key or "(unknown)", str(row.answered), f"{row.response_rate:.1%}",
                      f"{row.resolution_rate:.1%}", f"{row.satisfaction_rate:.1%}", f"{row.score:.3f}")
    if not rows:
        console.print(f"no callback survey was answered in {month}")
        return
    console.print(table)
