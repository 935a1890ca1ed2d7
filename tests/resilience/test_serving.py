"""dashboard.web.serving and dashboard.read.cache without a server: 503 for an unreachable database (and not for
bugs), brotli and gzip, long cache lifetimes for fingerprinted assets, cache keys with the user's scope and the results generation, invalidation by an import."""

from __future__ import annotations

import gzip

import brotli
import pytest
from flask import Flask
from reslib import prepare
from sqlalchemy import exc as sa_exc


def _app(tmp_path) -> Flask:
    from dashboard.web.serving import init_compression, init_database_errors

    app = Flask("serving-test")
    init_database_errors(app)
    init_compression(app)

    @app.route("/down", methods=["GET", "POST"])
    @app.route("/_dash-update-component", methods=["POST"])
    def down():
        raise sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    @app.route("/bug")
    def bug():
        raise sa_exc.ProgrammingError("SELECT nope", {}, Exception("no such column"))

    @app.route("/big.json")
    def big():
        return {"rows": [{"i": i, "name": f"station {i}"} for i in range(500)]}

    @app.route("/assets/<path:name>")
    def asset(name):
        return app.response_class("body { color: #123456; }\n" * 200, mimetype="text/css")

    return app


def test_unreachable_database_is_503_json_for_dash_and_a_page_for_people(tmp_path):
    c = _app(tmp_path).test_client()
    r = c.post("/_dash-update-component", json={})
    assert r.status_code == 503 and r.get_json()["unavailable"] is True and r.headers["Retry-After"]
    r = c.get("/down")
    assert r.status_code == 503 and r.mimetype == "text/html"
    assert "temporarily unavailable" in r.get_data(as_text=True).lower()


def test_programming_errors_are_not_disguised_as_unavailable(tmp_path):
    app = _app(tmp_path)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().get("/bug").status_code == 500


def test_compression_only_when_asked_and_worth_it(tmp_path):
    c = _app(tmp_path).test_client()
    plain = c.get("/big.json")
    assert "Content-Encoding" not in plain.headers
    zipped = c.get("/big.json", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data and len(zipped.data) < len(plain.data) / 3
    br = c.get("/big.json", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert br.headers["Content-Encoding"] == "br" and "Accept-Encoding" in br.headers["Vary"]
    assert brotli.decompress(br.data) == plain.data and len(br.data) < len(zipped.data)
    refused = c.get("/big.json", headers={"Accept-Encoding": "br;q=0, gzip;q=0.5"})
    assert refused.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in c.get("/big.json", headers={"Accept-Encoding": "identity"}).headers


@pytest.mark.parametrize(("header", "expected"), [
    ("", None), ("identity", None), ("gzip", "gzip"), ("GZIP", "gzip"), ("gzip, br", "br"), ("br", "br"),
    ("br;q=0", None), ("br;q=0.0, gzip", "gzip"), ("br;q=0.8, gzip;q=1", "br"), ("gzip;q=0", None),
    ("br;q=nonsense, gzip", "gzip"), ("x-gzip", None), ("brotli", None), (" br ; q=1 ", "br"),
])
def test_accepted_encoding(header, expected):
    from dashboard.web.serving import accepted_encoding

    assert accepted_encoding(header) == expected


def test_fingerprinted_assets_are_cached_for_a_year_and_others_revalidated(tmp_path):
    c = _app(tmp_path).test_client()
    r = c.get("/assets/app.css?m=1796276133.99", headers={"Accept-Encoding": "br"})
    cc = r.headers["Cache-Control"]
    assert "max-age=31536000" in cc and "immutable" in cc and "public" in cc and "no-cache" not in cc
    assert r.headers["Content-Encoding"] == "br"
    r = c.get("/assets/app.css")
    assert "max-age=31536000" not in r.headers.get("Cache-Control", "")
    assert "max-age" not in c.get("/big.json").headers.get("Cache-Control", "")


def test_cache_keys_carry_the_callers_scope_and_the_generation():
    """The scope in a key is the Scope argument the caller passes (the read room imports nothing of the web
    room); a function called for a district SP and for a State user never shares an entry."""
    from dashboard.read import cache
    from dashboard.scope import Scope

    knl = Scope("district", "HR", "HR-KNL", "sp")
    a = cache.cache_key("lagging", "gen1", ("e", "2025-06", knl), {})
    b = cache.cache_key("lagging", "gen1", ("e", "2025-06", Scope("district", "HR", "HR-AMB", "sp")), {})
    c = cache.cache_key("lagging", "gen2", ("e", "2025-06", knl), {})
    d = cache.cache_key("lagging", "gen1", ("e", "2025-06"), {"scope": Scope("state", "HR", None, "hq")})
    e = cache.cache_key("lagging", "gen1", ("e", "2025-06"), {"scope": Scope.national("ncrb")})
    assert len({a, b, c, d, e}) == 5
    # the username is not part of the key: two SPs of one district share entries
    assert cache.cache_key("x", "g", (Scope("district", "HR", "HR-KNL", "sp1"),), {}) == \
        cache.cache_key("x", "g", (Scope("district", "HR", "HR-KNL", "sp2"),), {})


def test_every_cached_read_function_that_returns_units_takes_a_scope():
    """`@cached` keys on the arguments only: a cached function returning district or station data must
    take the Scope, or two users would share its answer."""
    import inspect

    from dashboard import read

    unscoped_ok = {"months", "latest_month", "data_as_of", "state_names", "unit_info", "states_table",
                   "rank_history", "param_matrix", "state_headline", "score_trend", "unit_params", "why_rank_moved",
                   "state_rows_present",
                   # the ranking schemes themselves, and State-level figures (published, reconciled,
                   # provisional States' scores), shown to every signed-in user like the league table
                   "schemes", "state_scheme_ranks", "published_history", "published_months", "published_table",
                   "reconciliation", "provisional_months", "provisional_snapshots",
                   # one cache entry each for what the national page and the shell show, made of the above
                   # (league table, reconciliation, the States x parameters matrix; the scheme's months)
                   "national_summary", "picker_months",
                   # a few States' contributions by parameter (the deck's rivals): State-level, as param_matrix
                   "state_contributions"}
    cached = {n: f for n, f in vars(read).items() if callable(f) and getattr(f, "__cctns_cached__", False)}
    assert len(cached) >= 25
    for name, fn in cached.items():
        params = inspect.signature(inspect.unwrap(fn)).parameters
        assert "scope" in params or name in unscoped_ok, f"{name} is cached but takes no scope"


@pytest.fixture
def cached_app(tmp_path, small_files):
    from dashboard.config import load_settings
    from dashboard.ingest import import_files
    from dashboard.read.cache import init_cache

    url = f"sqlite:///{tmp_path / 'cache.sqlite3'}"
    engine = prepare(url)
    import_files(engine, small_files.master, user="test")
    for pair in small_files.by_month[:2]:
        import_files(engine, pair, user="test")
    app = Flask("cache-test")
    init_cache(app, load_settings({"CCTNS_DATABASE_URL": url, "CCTNS_INSTANCE_DIR": str(tmp_path / "instance")}))
    yield app, engine
    engine.dispose()


def test_results_are_cached_until_an_import_changes_the_generation(cached_app, small_files):
    from dashboard import read
    from dashboard.ingest import import_files
    from dashboard.read.cache import cache_stats

    app, engine = cached_app
    with app.test_request_context("/"):
        first = read.months(engine)
    with app.test_request_context("/"):
        assert read.months(engine) == first
    stats = cache_stats(app)
    assert stats["hits"] == 1 and stats["misses"] == 1
    import_files(engine, small_files.by_month[2], user="test")
    with app.test_request_context("/"):
        after = read.months(engine)
    assert after == [*first, small_files.months[2]]
    assert cache_stats(app)["misses"] == 2
    # outside a request (CLI, exports) nothing is cached
    assert read.months(engine) == after and cache_stats(app)["misses"] == 2
