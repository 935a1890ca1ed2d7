"""`insert_frame` (COPY text on PostgreSQL, executemany elsewhere) stores every value as it is: integers,
floats to the last bit, missing values as NULL, booleans, and texts with tabs, newlines, backslashes,
quotes and other scripts."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Boolean, Column, Float, Integer, MetaData, Table, Text, select

from dashboard.store.db import copy_text, frame_rows, get_engine, insert_frame


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "n": np.array([1, -2, 2**40], dtype=np.int64),
        "x": [0.1 + 0.2, np.nan, 1e-7],
        "flag": [True, False, True],
        "label": ["tab\there", "new\nline \\ back\\slash", None],
        "maybe": pd.array([3, None, 5], dtype="Int64"),
        "mixed": [None, 'quote " and \' ठाणे', "\\N"],
    })


def test_insert_frame_round_trip(any_db_url):
    engine = get_engine(any_db_url)
    table = Table("bulk_round_trip", MetaData(), Column("id", Integer, primary_key=True), Column("n", BigInteger),
                  Column("x", Float), Column("flag", Boolean), Column("label", Text), Column("maybe", Integer),
                  Column("mixed", Text))
    table.create(engine)
    df = _frame()
    with engine.begin() as conn:
        insert_frame(conn, table.name, df.assign(id=[1, 2, 3]), ["id", *df.columns])
    with engine.connect() as conn:
        back = conn.execute(select(table).order_by(table.c.id)).all()
    assert [tuple(r)[1:] for r in back] == frame_rows(df, list(df.columns))
    assert back[0].x == 0.1 + 0.2 and back[1].x is None and back[2].mixed == "\\N"


def test_plain_values_and_copy_text():
    df = _frame()
    rows = frame_rows(df, list(df.columns))
    assert rows[1] == (-2, None, False, "new\nline \\ back\\slash", None, 'quote " and \' ठाणे')
    assert all(type(v) in (int, float, bool, str, type(None)) for r in rows for v in r)
    text = copy_text(df, list(df.columns))
    assert text.split("\n")[0] == "1\t0.30000000000000004\tt\ttab\\there\t3\t\\N"
    assert text.split("\n")[2] == "1099511627776\t1e-07\tt\t\\N\t5\t\\\\N"
