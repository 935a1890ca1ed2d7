"""bench.load.Server: the benchmark measures only once gunicorn has forked all its workers."""

from __future__ import annotations

from bench.load import Server


class _Forking(Server):
    """A Server whose workers appear one by one, as gunicorn forks them after /health already answers."""

    def __init__(self, expected: int, appear_after_calls: list[int]):
        self.expected_workers = expected
        self.calls = 0
        self.appear_after_calls = appear_after_calls

    def workers(self) -> list[int]:
        self.calls += 1
        return [pid for pid, after in enumerate(self.appear_after_calls) if self.calls > after]


def test_waits_until_every_worker_is_forked():
    server = _Forking(expected=4, appear_after_calls=[0, 2, 3, 5])
    assert server.wait_workers(timeout=5) == 4
    assert server.calls > 5


def test_gives_up_at_the_timeout_with_what_is_there():
    server = _Forking(expected=4, appear_after_calls=[0, 10**9, 10**9, 10**9])
    assert server.wait_workers(timeout=0.3) == 1
