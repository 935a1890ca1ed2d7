"""dashboard/web/passwords.py: libsodium verifies production hashes with the same answers as argon2-cffi, and
at most `hash_slots` argon2 computations run at once (issue 15: a hall of 100 signing in on 2 cores)."""

from __future__ import annotations

import threading
import time

import nacl.pwhash.argon2id
import pytest
from argon2 import PasswordHasher

from dashboard.web import passwords

PASSWORD = "a long enough password"


@pytest.fixture
def production():
    passwords.set_hasher(passwords.production_hasher())
    yield
    passwords.set_hasher(passwords.production_hasher())


def test_production_hash_verified_by_libsodium_both_ways(production):
    made = passwords.hash_password(PASSWORD)
    assert made.startswith(passwords.SODIUM_PREFIX)
    assert passwords.verify_password(made, PASSWORD)
    assert not passwords.verify_password(made, PASSWORD + "x")
    assert not passwords.verify_password(made, "")
    # a hash libsodium made (same parameters) is read by argon2-cffi, and the other way round
    sodium = nacl.pwhash.argon2id.str(PASSWORD.encode(), opslimit=passwords.ARGON2_TIME_COST,
                                      memlimit=passwords.ARGON2_MEMORY_KIB * 1024).decode()
    assert sodium.startswith(passwords.SODIUM_PREFIX)
    assert passwords.production_hasher().verify(sodium, PASSWORD)
    assert passwords.verify_password(sodium, PASSWORD) and not passwords.verify_password(sodium, "wrong one!")


def test_production_hashes_go_to_libsodium_others_to_argon2_cffi(production, monkeypatch):
    calls: list[str] = []
    real = nacl.pwhash.argon2id.verify

    def counting(stored: bytes, password: bytes) -> bool:
        calls.append("sodium")
        return real(stored, password)

    monkeypatch.setattr(nacl.pwhash.argon2id, "verify", counting)
    assert passwords.verify_password(passwords.hash_password(PASSWORD), PASSWORD)
    assert calls == ["sodium"]
    older = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=2).hash(PASSWORD)  # e.g. before a rehash
    assert passwords.verify_password(older, PASSWORD) and not passwords.verify_password(older, "wrong one!")
    assert calls == ["sodium"]


def test_damaged_production_hash_never_matches(production):
    made = passwords.hash_password(PASSWORD)
    assert not passwords.verify_password(made[:-6] + "AAAAAA", PASSWORD)
    assert not passwords.verify_password(passwords.SODIUM_PREFIX + "not-base64$at-all", PASSWORD)


def test_concurrent_hashes_bounded_by_the_slots(production, monkeypatch):
    """Eight sign-ins at once with two slots: never more than two argon2 computations at the same time."""
    monkeypatch.setattr(passwords, "_slots", threading.BoundedSemaphore(2))
    stored = passwords.hash_password(PASSWORD)
    running, peak, lock = [0], [0], threading.Lock()
    real = nacl.pwhash.argon2id.verify

    def slow(stored_hash: bytes, password: bytes) -> bool:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        try:
            return real(stored_hash, password)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(nacl.pwhash.argon2id, "verify", slow)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(passwords.verify_password(stored, PASSWORD)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [True] * 8
    assert peak[0] == 2


def test_shared_slots_bound_forked_processes(production):
    """share_hash_slots() before a fork: the child takes the parent's slot count, not a fresh one."""
    import multiprocessing

    passwords.share_hash_slots(1)
    try:
        slots = passwords._slots
        assert slots.acquire(timeout=1)
        ctx = multiprocessing.get_context("fork")
        got = ctx.Queue()
        child = ctx.Process(target=lambda: got.put(passwords._slots.acquire(timeout=0.5)))
        child.start()
        child.join(30)
        assert got.get(timeout=5) is False  # the one slot is held here, so the child could not take it
        slots.release()
    finally:
        passwords._slots = threading.BoundedSemaphore(passwords.hash_slots())


def test_hash_slots_from_the_environment(monkeypatch):
    monkeypatch.setenv("CCTNS_HASH_SLOTS", "3")
    assert passwords.hash_slots() == 3
    monkeypatch.setenv("CCTNS_HASH_SLOTS", "many")
    assert passwords.hash_slots() >= 1
