"""Fixtures of the actions tests: `engine` is a fresh copy of the held-back demo (tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def engine(held_back_engine):
    return held_back_engine
