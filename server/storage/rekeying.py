"""Moving sealed values onto the current data key (`hotline keys rotate`), and counting which key
holds how many (`hotline keys status`).

The columns are read and written as stored text, not through the sealed column types: a value is
opened and sealed again only if another key holds it. Each value is written back only if it is still
what was read, so a server writing the same row meanwhile loses nothing (its value, sealed under
whichever key it holds, is left for the next rotation).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, text

from server.storage.sealing import SEALED_COLUMNS, key_id_of, reseal, ring

BATCH = 500


@dataclass
class Resealed:
    examined: int = 0
    resealed: int = 0
    changed_meanwhile: int = 0  # written by someone else between our read and our write: left as they are


def count_by_key(engine: Engine) -> Counter[str]:
    """How many stored values each key id seals ("(not sealed)" for any value that is not)."""
    counts: Counter[str] = Counter()
    with engine.connect() as connection:
        for table, column in SEALED_COLUMNS:
            query = text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")
            for (value,) in connection.execute(query):
                counts[key_id_of(str(value)) or "(not sealed)"] += 1
    return counts


def columns_to_reseal(engine: Engine) -> int:
    """How many stored values another key than the current one seals."""
    current = ring().current
    return sum(n for key_id, n in count_by_key(engine).items() if key_id != current)


def reseal_all(engine: Engine, advance: Callable[[int], None] = lambda n: None) -> Resealed:
    """Every sealed value under the current key, a batch of rows a transaction; `advance(n)` is told
    of each n values done."""
    current = ring().current
    outcome = Resealed()
    for table, column in SEALED_COLUMNS:
        context = f"{table}.{column}"
        last_id: object = None
        while True:
            after = "" if last_id is None else "AND id > :last "
            query = text(
                f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL {after}ORDER BY id LIMIT {BATCH}"
            )
            with engine.begin() as connection:
                rows = connection.execute(query, {"last": last_id}).all()
                if not rows:
                    break
                last_id = rows[-1][0]
                for row_id, value in rows:
                    outcome.examined += 1
                    if key_id_of(value) == current:
                        continue
                    written = connection.execute(
                        text(f"UPDATE {table} SET {column} = :new WHERE id = :id AND {column} = :old"),
                        {"new": reseal(value, context), "id": row_id, "old": value},
                    ).rowcount
                    if written:
                        outcome.resealed += 1
                    else:
                        outcome.changed_meanwhile += 1
            advance(len(rows))
    return outcome
