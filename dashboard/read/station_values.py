"""Each station's parameter counts of a month, kept by the recomputation (issue 15).

The recomputation scores every station of a month (`metrics.scoring.score_month`) and keeps only the State
and district levels of `params`; the district heat-map and the station page used to read a district's or a
station's rows and rescore them on each click (`metrics.scoring.station_parameter_values`, most of it
pivoting the rows and applying rule 3). `result_station_counts` keeps, per district and month, what that
scoring starts from once the rows are pivoted and imputed: each active station's numerator and denominator
per station parameter (after rule 3) and whether rule 3 imputed them. A page turns them into the values
with `metrics.scoring.station_values_from_counts` (rules 4-6, the same vectorised code): the same frame as
before, without the rows.

`payload`: the district's stations x the version's station parameters (in the version's order) as
little-endian int32 numerators, then int32 denominators, then the imputed flags as packed bits
(`numpy.packbits`); `station_codes`: the stations, comma-separated, in the payload's order. A district
whose counts do not fit in int32 is not kept (its pages score the rows on demand, as before).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from metrics.methodology import Version
from metrics.scoring import station_values_from_counts

_INT32 = np.dtype("<i4")
_LIMIT = np.iinfo(np.int32).max


def encode(params: pd.DataFrame, version: Version) -> list[tuple[str, str, bytes]] | None:
    """(district_code, station_codes, payload) for each district of `params` (its station level, in
    score_month's order: the version's station parameters, in order, for each station), or None when the
    frame is not in that order (then nothing is kept and the pages score the rows on demand)."""
    ids = np.array([p.id for p in version.station_parameters], dtype=object)
    n_params = len(ids)
    if params.empty or not n_params:
        return []
    if len(params) % n_params:
        return None
    n = len(params) // n_params
    if not np.array_equal(params["parameter"].to_numpy().reshape(n, n_params), np.broadcast_to(ids, (n, n_params))):
        return None
    codes = params["unit_code"].to_numpy().reshape(n, n_params)
    if not (codes == codes[:, :1]).all():
        return None
    num = params["numerator"].to_numpy().reshape(n, n_params)
    den = params["denominator"].to_numpy().reshape(n, n_params)
    imputed = params["imputed"].to_numpy(dtype=bool).reshape(n, n_params)
    stations = codes[:, 0].astype(str)
    districts = params["district_code"].to_numpy()[::n_params].astype(str)
    order = np.lexsort((stations, districts))  # by district, then station code
    districts, stations, num, den, imputed = districts[order], stations[order], num[order], den[order], imputed[order]
    fits = ((num >= 0) & (num <= _LIMIT) & (den >= 0) & (den <= _LIMIT)).all(axis=1)
    starts = np.flatnonzero(np.r_[True, districts[1:] != districts[:-1]])
    ends = np.r_[starts[1:], len(districts)]
    out = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        if not fits[a:b].all():
            continue
        payload = (num[a:b].astype(_INT32).tobytes() + den[a:b].astype(_INT32).tobytes()
                   + np.packbits(imputed[a:b].reshape(-1)).tobytes())
        out.append((str(districts[a]), ",".join(stations[a:b].tolist()), payload))
    return out


def decode(district_code: str, station_codes: str, payload: bytes, version: Version,
           only: Sequence[str] | None = None) -> pd.DataFrame:
    """The frame `station_parameter_values` returns (its columns and dtypes; stations by code; state_code
    None, as for a station master without States) for one kept district, or for the stations `only` of it."""
    codes, num, den, imputed = decode_counts(station_codes, payload, version, only)
    return station_values_from_counts(version, codes, np.full(len(codes), district_code, dtype=object),
                                      num, den, imputed)


def decode_counts(station_codes: str, payload: bytes, version: Version, only: Sequence[str] | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(station codes, numerators, denominators, imputed flags) of one kept district (or of its stations
    `only`): stations x the version's station parameters, int64/int64/bool, for
    `metrics.scoring.station_values_from_counts`."""
    codes = np.array(station_codes.split(",") if station_codes else [], dtype=object)
    n, n_params = len(codes), len(version.station_parameters)
    size = n * n_params
    num = np.frombuffer(payload, dtype=_INT32, count=size).reshape(n, n_params)
    den = np.frombuffer(payload, dtype=_INT32, count=size, offset=4 * size).reshape(n, n_params)
    imputed = np.unpackbits(np.frombuffer(payload, dtype=np.uint8, offset=8 * size), count=size).astype(bool)
    imputed = imputed.reshape(n, n_params)
    if only is not None:
        pick = np.flatnonzero(np.isin(codes, np.asarray(list(only), dtype=object)))
        codes, num, den, imputed = codes[pick], num[pick], den[pick], imputed[pick]
    return codes, num.astype(np.int64), den.astype(np.int64), imputed
