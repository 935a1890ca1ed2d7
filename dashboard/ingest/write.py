"""Writing a validated import inside the caller's transaction: master data and monthly rows upserted with
what they replaced kept for revert, meta facts, the audit row, the recomputation, the import lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, text, update
from sqlalchemy import exc as sa_exc

from dashboard.ingest.files import CHUNK, SQLITE_CACHE_KIB, ImporterError
from dashboard.ingest.validate import _read_frame
from dashboard.store import (
    District,
    ImportReplaced,
    Meta,
    PoliceStation,
    PublishedResult,
    State,
    StateRow,
    StationRow,
    copy_text,
    read_columns,
)
from metrics.methodology import Methodology, Schemes

_ROW_TABLES = {"station_rows": StationRow.__table__, "state_rows": StateRow.__table__}


_MASTER = {
    # kind: (table, file columns -> table columns)
    "states": (State.__table__, {"state_code": "code", "name": "name", "category": "category"}),
    "districts": (District.__table__, {"district_code": "code", "state_code": "state_code", "name": "name"}),
    "police_stations": (PoliceStation.__table__, {"station_code": "code", "district_code": "district_code",
                                                  "name": "name", "opened": "opened", "closed": "closed"}),
}


def _pylist(series: pd.Series) -> list:
    """Plain Python values for the DB driver: ints stay ints, missing values become None."""
    if series.dtype.kind in "iub" and not series.hasnans:
        return [int(v) for v in series.tolist()] if series.dtype.kind != "b" else series.tolist()
    if series.dtype.kind == "f":  # a nullable integer column that went through a merge
        series = series.astype("Int64")
    obj = series.astype(object)
    return obj.where(series.notna(), None).tolist()


def _insert_frame(conn: Connection, table, df: pd.DataFrame, tick: Callable[[int], None] = lambda n: None,
                  update_key: Sequence[str] | None = None) -> None:
    """Bulk insert in chunks of CHUNK rows; with `update_key`, the rows exist already and are updated by
    that key instead. SQLite: the driver's executemany with plain tuples (about twice as fast as Core's
    per-row dict processing); PostgreSQL: COPY (see _copy_frame); others: Core executemany."""
    if df.empty:
        return
    cols = list(df.columns)
    key = list(update_key or ())
    others = [c for c in cols if c not in key]
    if key:  # parameters in statement order: SET values first, then the key
        cols = others + key
    if conn.dialect.name == "postgresql":
        _copy_frame(conn, table, cols, df, tick, key, others)
        return
    rows = list(zip(*[_pylist(df[c]) for c in cols], strict=True))
    if conn.dialect.name == "sqlite":
        if key:
            sql = (f"UPDATE {table.name} SET {', '.join(f'{c} = ?' for c in others)} "
                   f"WHERE {' AND '.join(f'{c} = ?' for c in key)}")
        else:
            sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        for i in range(0, len(rows), CHUNK):
            chunk = rows[i : i + CHUNK]
            conn.exec_driver_sql(sql, chunk)
            tick(len(chunk))
        return
    stmt = insert(table)
    if key:
        stmt = update(table).where(*[table.c[c] == bindparam("k_" + c) for c in key]).values(
            {c: bindparam("v_" + c) for c in others})
        cols = ["v_" + c for c in others] + ["k_" + c for c in key]
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        conn.execute(stmt, [dict(zip(cols, r, strict=True)) for r in chunk])
        tick(len(chunk))


def _copy_frame(conn: Connection, table, cols: list[str], df: pd.DataFrame, tick: Callable[[int], None],
                update_key: Sequence[str], others: list[str]) -> None:
    """PostgreSQL: COPY of text built column by column (`copy_text`: no Python call per row). Updates go
    through a temporary table and one UPDATE .. FROM (a hash join, far faster than row-by-row or ON
    CONFLICT). Runs on the transaction's own connection."""
    target = table.name
    col_list = ", ".join(cols)
    with conn.connection.driver_connection.cursor() as cur:
        if update_key:
            target = f"import_tmp_{table.name}"
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {target} ON COMMIT DROP AS "
                        f"SELECT {col_list} FROM {table.name} WITH NO DATA")
            cur.execute(f"TRUNCATE {target}")
        for i in range(0, len(df), CHUNK):
            chunk = df.iloc[i : i + CHUNK]
            with cur.copy(f"COPY {target} ({col_list}) FROM STDIN") as copy:
                copy.write(copy_text(chunk, cols))
            tick(len(chunk))
        if update_key:
            cur.execute(f"ANALYZE {target}")
            cur.execute(
                f"UPDATE {table.name} AS t SET {', '.join(f'{c} = s.{c}' for c in others)} FROM {target} AS s "
                f"WHERE {' AND '.join(f't.{c} = s.{c}' for c in update_key)}"
            )


def _write_replaced(conn: Connection, batch_id: int, table_name: str, keys: Iterable, olds: Iterable) -> None:
    """Record what the batch replaced (old_values None: the batch added that master row)."""
    keys = [orjson.dumps(k).decode() for k in keys]
    olds = ["null" if o is None else orjson.dumps(o).decode() for o in olds]
    if keys:
        _insert_frame(conn, ImportReplaced.__table__, pd.DataFrame(
            {"batch_id": batch_id, "table_name": str(table_name), "key": keys, "old_values": olds}))


def _upsert_master(conn: Connection, kind: str, df: pd.DataFrame, batch_id: int) -> tuple[int, int]:
    table, mapping = _MASTER[kind]
    new = df[list(mapping)].rename(columns=mapping)
    for col in ("opened", "closed"):
        if col in new.columns:
            new[col] = new[col].replace("", None)
    cols = list(mapping.values())
    existing = _read_frame(conn, select(*[table.c[c] for c in cols]))
    merged = new.merge(existing, on="code", how="left", suffixes=("", "_old"), indicator=True)
    added = merged[merged["_merge"] == "left_only"]
    both = merged[merged["_merge"] == "both"]
    value_cols = [c for c in cols if c != "code"]
    changed_mask = pd.Series(False, index=both.index)
    for c in value_cols:
        a, b = both[c].astype(object), both[c + "_old"].astype(object)
        changed_mask |= ~((a == b) | (a.isna() & b.isna()))
    changed = both[changed_mask]
    if len(added):
        _insert_frame(conn, table, added[cols])
    if len(changed):
        stmt = update(table).where(table.c.code == bindparam("b_code")).values(
            {c: bindparam("v_" + c) for c in value_cols})
        conn.execute(stmt, [{"b_code": r["code"], **{"v_" + c: _none(r[c]) for c in value_cols}}
                            for r in changed.to_dict("records")])
    olds = [{c: _none(r[c + "_old"]) for c in value_cols} for r in changed.to_dict("records")]
    _write_replaced(conn, batch_id, table.name, [[c] for c in added["code"]] + [[c] for c in changed["code"]],
                    [None] * len(added) + olds)
    return len(added), len(changed)


def _none(value: object) -> object:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else value




def _upsert_rows(conn: Connection, kind: str, df: pd.DataFrame, batch_id: int,
                 tick: Callable[[int], None]) -> tuple[int, int, dict[tuple[str, str], pd.DataFrame]]:
    """Insert new rows, replace existing ones (keeping their old values in ImportReplaced). Returns (added,
    replaced, known): known holds, per (table, month), the month's complete rows in that table when this
    import wrote all of them (a new month, or every earlier row replaced), so the recomputation need not
    read them back."""
    table = _ROW_TABLES[kind]
    unit = "station_code" if kind == "station_rows" else "state_code"
    key = ["month", unit, "parameter"]
    rows = pd.DataFrame({
        **{c: df[c] for c in key},
        "numerator": df["numerator"].astype(np.int64),
        "denominator": df["denominator"].astype(np.int64),
        "batch_id": batch_id,
    })
    months = sorted(rows["month"].unique())
    counts = dict(conn.execute(
        select(table.c.month, func.count()).where(table.c.month.in_(months)).group_by(table.c.month)).all())
    if not counts:  # fast path: months without rows, nothing can be replaced
        _insert_frame(conn, table, rows, tick)
        return len(rows), 0, _known_months(table.name, rows, unit, months)
    # a month whose every earlier row is replaced (a full re-import): what it replaces is copied in the
    # database (`_copy_replaced_rows`), its rows deleted and inserted anew, one statement each; only its keys
    # are read, as one text a row, to find out (no per-row update, no read-back of every row's values)
    redone = _wholly_replaced(conn, table, unit, rows, counts)
    whole = rows["month"].isin(redone).to_numpy()
    added = replaced = 0
    if redone:
        _copy_replaced_rows(conn, batch_id, table, unit, redone)
        conn.execute(delete(table).where(table.c.month.in_(redone)))
        replaced = sum(int(counts[m]) for m in redone)
        added = int(whole.sum()) - replaced
    partly = [m for m in counts if m not in redone]  # months some of whose earlier rows stay
    is_new = ~whole
    if partly:
        existing = _read_frame(conn, select(*[table.c[c] for c in key], table.c.numerator, table.c.denominator,
                                            table.c.batch_id).where(table.c.month.in_(partly)))
        existing["batch_id"] = existing["batch_id"].astype("Int64")
        rest = rows.loc[~whole, key]
        rep = existing.merge(rest, on=key, how="inner")
        if len(rep):
            _write_replaced_rows(conn, batch_id, table.name, rep, key)
        replaced += len(rep)
        is_new[~whole] = rest.merge(existing[key], on=key, how="left", indicator=True)["_merge"].to_numpy() \
            == "left_only"
    added += int(is_new.sum())
    _insert_frame(conn, table, rows.loc[is_new | whole], tick)
    _insert_frame(conn, table, rows.loc[~is_new & ~whole], tick, update_key=key)
    complete = [m for m in months if m not in counts or m in redone]
    return added, replaced, _known_months(table.name, rows, unit, complete)


def _wholly_replaced(conn: Connection, table, unit: str, rows: pd.DataFrame, counts: dict[str, int]) -> list[str]:
    """The months of `counts` (months with earlier rows) every earlier row of which `rows` replace: read as
    one text per row ("unit parameter": codes and parameter ids hold no space), only for the months with
    at least as many new rows as earlier ones."""
    new_per_month = rows["month"].value_counts()
    candidates = sorted(m for m, n in counts.items() if int(new_per_month.get(m, 0)) >= int(n))
    out = []
    for month in candidates:
        held = read_columns(conn, select(table.c[unit] + " " + table.c.parameter).where(table.c.month == month),
                            ["key"])["key"].tolist()
        mine = rows.loc[rows["month"].to_numpy() == month]
        new_keys = {f"{u} {p}" for u, p in zip(mine[unit].tolist(), mine["parameter"].tolist(), strict=True)}
        if new_keys.issuperset(held):
            out.append(month)
    return out


def _copy_replaced_rows(conn: Connection, batch_id: int, table, unit: str, months: Sequence[str]) -> None:
    """What a batch replaces in wholly re-imported months, into ImportReplaced in one INSERT .. SELECT: the
    same texts `_write_replaced_rows` builds (`["month","unit","parameter"]` and
    `{"numerator":n,"denominator":d,"batch_id":b}`), in key order."""
    quote = (lambda c: f"CAST(to_json({c}) AS TEXT)") if conn.dialect.name == "postgresql" else (
        lambda c: f"json_quote({c})")
    marks = ", ".join(f":m{i}" for i in range(len(months)))
    conn.execute(text(
        f"INSERT INTO {ImportReplaced.__tablename__} (batch_id, table_name, \"key\", old_values) "
        f"SELECT :batch_id, :table_name, "
        f"'[' || {quote('month')} || ',' || {quote(unit)} || ',' || {quote('parameter')} || ']', "
        f"'{{\"numerator\":' || CAST(numerator AS TEXT) || ',\"denominator\":' || CAST(denominator AS TEXT) || "
        f"',\"batch_id\":' || COALESCE(CAST(batch_id AS TEXT), 'null') || '}}' "
        f"FROM {table.name} WHERE month IN ({marks}) ORDER BY month, {unit}, parameter"),
        {"batch_id": int(batch_id), "table_name": table.name, **{f"m{i}": m for i, m in enumerate(months)}})


def _known_months(table_name: str, rows: pd.DataFrame, unit: str, months: Sequence[str]
                  ) -> dict[tuple[str, str], pd.DataFrame]:
    """The rows of `months` as the recomputation reads them (unit, parameter, numerator, denominator)."""
    cols = [unit, "parameter", "numerator", "denominator"]
    if len(months) == 1 and rows["month"].nunique() == 1:
        return {(table_name, months[0]): rows[cols].reset_index(drop=True)}
    return {(table_name, m): g[cols].reset_index(drop=True) for m, g in rows.groupby("month", sort=False)
            if m in set(months)}


def _json_texts(values: pd.Series) -> np.ndarray:
    """Each value as its JSON text (orjson), encoded once per distinct value (codes repeat a lot); an object
    array (numpy's elementwise `+` on it is plain string concatenation, no per-row Python call)."""
    codes, uniques = pd.factorize(values, sort=False)
    plain = [u.item() if isinstance(u, np.generic) else u for u in np.asarray(uniques, dtype=object)]
    encoded = np.array([orjson.dumps(u).decode() for u in plain] + ["null"], dtype=object)
    return encoded[codes]  # code -1 (missing) -> "null"


def _write_replaced_rows(conn: Connection, batch_id: int, table_name: str, rep: pd.DataFrame,
                         key: list[str]) -> None:
    """The replaced monthly rows into ImportReplaced, their JSON built column by column: the same texts as
    `orjson.dumps([month, unit, parameter])` and `{"numerator":n,"denominator":d,"batch_id":b}`."""
    def joined(*parts) -> np.ndarray:
        out = parts[0]
        for part in parts[1:]:
            out = np.add(out, part)
        return out

    def ints(col: str) -> np.ndarray:
        return rep[col].to_numpy(dtype=np.int64).astype(str).astype(object)

    keys = joined("[", _json_texts(rep[key[0]]), ",", _json_texts(rep[key[1]]), ",", _json_texts(rep[key[2]]), "]")
    olds = joined('{"numerator":', ints("numerator"), ',"denominator":', ints("denominator"), ',"batch_id":',
                  _json_texts(rep["batch_id"]), "}")
    _insert_frame(conn, ImportReplaced.__table__, pd.DataFrame(
        {"batch_id": batch_id, "table_name": str(table_name), "key": keys, "old_values": olds}))


def _upsert_published(conn: Connection, df: pd.DataFrame, batch_id: int) -> tuple[int, int]:
    """Published results: insert new ones, replace existing ones (their old values kept in ImportReplaced,
    `batch_id` last so a revert can find the later batches that replaced this one's rows)."""
    table = PublishedResult.__table__
    key = ["month", "scheme", "state_code"]
    rows = pd.DataFrame({
        **{k: df[k] for k in key},
        "score_centi": [round(float(x) * 100) for x in df["score"]],
        "rank": [int(x) if x else None for x in df["rank"]],
        "category_rank": [int(x) if x else None for x in df.get("category_rank", pd.Series([""] * len(df)))],
        "source": df.get("source", pd.Series([""] * len(df))).fillna(""),
        "batch_id": batch_id,
    })
    months = sorted(rows["month"].unique())
    existing = _read_frame(conn, select(table).where(table.c.month.in_(months)))
    rep = existing.merge(rows[key], on=key, how="inner")
    if len(rep):
        olds = [{"score_centi": _none(r["score_centi"]), "rank": _none(r["rank"]),
                 "category_rank": _none(r["category_rank"]), "source": r["source"], "batch_id": _none(r["batch_id"])}
                for r in rep.to_dict("records")]
        olds = [{k: (int(v) if isinstance(v, (np.integer, float)) and k != "source" else v) for k, v in o.items()}
                for o in olds]
        _write_replaced(conn, batch_id, table.name, rep[key].values.tolist(), olds)
        for k in rep[key].values.tolist():
            conn.execute(delete(table).where(table.c.month == k[0], table.c.scheme == k[1], table.c.state_code == k[2]))
    records = [{"month": r["month"], "scheme": r["scheme"], "state_code": r["state_code"],
                "score_centi": int(r["score_centi"]), "source": str(r["source"]), "batch_id": int(batch_id),
                "rank": None if pd.isna(r["rank"]) else int(r["rank"]),
                "category_rank": None if pd.isna(r["category_rank"]) else int(r["category_rank"])}
               for r in rows.to_dict("records")]
    conn.execute(insert(table), records)
    return len(rows) - len(rep), len(rep)


def months_with_data(conn: Connection) -> list[str]:
    months = {m for (m,) in conn.execute(select(StationRow.month).distinct())}
    months |= {m for (m,) in conn.execute(select(StateRow.month).distinct())}
    return sorted(months)


def _set_meta(conn: Connection, key: str, value: str) -> None:
    t = Meta.__table__
    if conn.execute(select(t.c.key).where(t.c.key == key)).first():
        conn.execute(update(t).where(t.c.key == key).values(value=value))
    else:
        conn.execute(insert(t).values(key=key, value=value))


def _audit(conn: Connection, actor: str, action: str, detail: str) -> None:
    from dashboard.store import audit

    audit.record(conn, action, actor=actor, detail=detail)  # in this transaction: kept iff the change is


def _recompute(conn: Connection, months: Sequence[str], methodology: Schemes | Methodology,
               known_rows: dict[tuple[str, str], pd.DataFrame] | None = None) -> list[str]:
    if not months:
        return []
    from dashboard.ingest.recompute import (
        recompute_months,  # looked up at call time (tests and bench wrap it)
    )

    recompute_months(conn, list(months), methodology, known_rows=known_rows)
    from dashboard.actions import evaluate_actions  # the review loop: actions judged by the new data

    evaluate_actions(conn)
    from dashboard.foresight import refresh_foresight  # next month's projection and the data to verify

    refresh_foresight(conn, list(months))
    return list(months)


def _lock(conn: Connection) -> None:
    """Serialise imports and reverts. PostgreSQL: an explicit table lock. SQLite: the first statement of
    the transaction is a write (the batch row), which takes the database write lock before we read."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE import_batches IN SHARE ROW EXCLUSIVE MODE")
    elif conn.dialect.name == "sqlite":
        # a national month touches a few hundred MB of pages; the default 2 MB page cache makes SQLite
        # spill and re-read them several times over (3x slower). Set per connection, memory used on demand.
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


def _methodology(engine: Engine) -> Schemes:
    """Every stored scheme's methodology (an import may mix schemes' rows)."""
    from dashboard.store import load_stored_schemes

    try:
        methodology = load_stored_schemes(engine)
    except (sa_exc.OperationalError, sa_exc.ProgrammingError) as exc:
        raise ImporterError("the database has no CCTNS schema yet: run `cctns init-db` first") from exc
    if methodology is None:
        raise ImporterError("no methodology stored in the database: run `cctns init-db` first")
    return methodology
