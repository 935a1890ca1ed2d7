"""App-test helpers: a signed-in Flask test client and a way to call a Dash callback over HTTP."""

from __future__ import annotations

import pytest
from action_support import loop  # noqa: F401 - the review loop's app on a copy of the demo (action_support.py)
from app_http_support import call, sign_in  # noqa: F401 - re-exported for tests


@pytest.fixture(scope="session")
def national_client(dash_app, demo_users):
    return sign_in(dash_app, "ncrb", demo_users["ncrb"])


@pytest.fixture(scope="session")
def dash_call():
    """`dash_call(client, outputs, inputs, state=(), changed=None)` -> {id: {prop: value}}."""
    return call
