"""Moving sealed values and recordings onto the current data key (`hotline keys rotate`), and
counting which key holds how many (`hotline keys status`).

The columns are read and written as stored text, not through the sealed column types: a value is
opened and sealed again only if another key holds it. Each value is written back only if it is still
what was read, so a server writing the same row meanwhile loses nothing (its value, sealed under
whichever key it holds, is left for the next rotation).

A recording is opened and sealed again into a new file beside the old one; its row is pointed at the
new file only if it still names the old one and is not purged, and then the old file is deleted;
otherwise (retention purged it meanwhile) the new file is. A recording that does not open (its file
gone or altered) is counted and left as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine, text

from server.storage.recordings import RecordingUnreadable, read_sealed_audio, seal_recording
from server.storage.sealing import SEALED_COLUMNS, key_id_of, reseal, ring

BATCH = 500


@dataclass
class Resealed:
    examined: int = 0
    resealed: int = 0
    changed_meanwhile: int = 0  # written by someone else between our read and our write: left as they are
    unreadable: int = 0  # recordings whose file is gone or does not open: left under their key


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


def recordings_by_key(engine: Engine) -> Counter[str]:
    """How many kept (not purged) recordings each key id seals."""
    query = text("SELECT key_id, COUNT(*) FROM recordings WHERE purged_at IS NULL GROUP BY key_id")
    with engine.connect() as connection:
        return Counter({str(key_id): int(n) for key_id, n in connection.execute(query)})


def recordings_to_reseal(engine: Engine) -> int:
    current = ring().current
    return sum(n for key_id, n in recordings_by_key(engine).items() if key_id != current)


def reseal_recordings(engine: Engine, root: Path, advance: Callable[[int], None] = lambda n: None) -> Resealed:
    """Every kept recording under the current key, one file at a time; `advance(1)` after each."""
    current = ring().current
    outcome = Resealed()
    last_id = 0
    while True:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, call_sid, path FROM recordings WHERE purged_at IS NULL AND key_id <> :current "
                f"AND id > :last ORDER BY id LIMIT {BATCH}"), {"current": current, "last": last_id}).all()
        if not rows:
            return outcome
        for row_id, call_sid, path in rows:
            last_id = row_id
            outcome.examined += 1
            advance(1)
            try:
                audio = read_sealed_audio(root, path, call_sid)
            except RecordingUnreadable:
                outcome.unreadable += 1
                continue
            new_path, key_id, size = seal_recording(root, call_sid, audio, str(PurePosixPath(path).parent))
            with engine.begin() as connection:
                moved = connection.execute(text(
                    "UPDATE recordings SET path = :new, key_id = :key_id, size_bytes = :size "
                    "WHERE id = :id AND path = :old AND purged_at IS NULL"),
                    {"new": new_path, "key_id": key_id, "size": size, "id": row_id, "old": path}).rowcount
            (root / (path if moved else new_path)).unlink(missing_ok=True)
            if moved:
                outcome.resealed += 1
            else:
                outcome.changed_meanwhile += 1
