"""Fixtures of the review loop's tests here: a database whose actions the data has judged (tests/review_loop.py)."""

from review_loop import judged, judged_engine  # noqa: F401 - fixtures for the tests of this folder
