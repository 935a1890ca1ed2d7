"""Password hashing with argon2id at OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1).

The parameters are a trade: argon2-cffi's default (RFC 9106's low-memory profile, m = 64 MiB, t = 3,
p = 4) costs ~0.3 s of CPU per sign-in, so 100 people signing in at the start of a review meeting on a
2-core server waited 10 s and more; OWASP's minimum costs ~1/6 of that and is still memory-hard.
A stored hash made with other parameters is rehashed at its owner's next sign-in (`needs_rehash`).

A hall signing in at once (issue 15: 100 sign-ins, p95 <= 2 s on 2 cores) is bounded by the argon2 work:
- verifications of hashes with the production parameters run in libsodium (PyNaCl), whose argon2id picks
  AVX2/AVX-512 code at run time: the same hash, the same parameters and result, ~30 % less CPU than
  argon2-cffi's portable build (measured 30 vs 42-56 ms here); argon2-cffi makes the hashes and verifies
  any other parameters (old hashes, before their rehash);
- at most `hash_slots()` argon2 computations run at once (one per core by default, `CCTNS_HASH_SLOTS`),
  shared by every gunicorn worker (`share_hash_slots` is called by the gunicorn configuration in the
  master, before it forks): the others queue, so sign-ins finish one after another instead of all of them
  sharing the cores to the end (and the memory bus: 19 MiB each), and the cheap requests of people already
  signed in keep getting CPU."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

try:  # pinned in pyproject.toml; a venv not yet set up again after the pin was added still signs people in
    import nacl.exceptions
    import nacl.pwhash.argon2id
except ImportError:  # pragma: no cover - scripts/setup.sh installs it
    nacl = None  # type: ignore[assignment]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # bounds the hashing work an attacker can ask for

# OWASP Password Storage Cheat Sheet, argon2id: "a minimum configuration of 19 MiB of memory, an iteration
# count of 2, and 1 degree of parallelism"
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1


def production_hasher() -> PasswordHasher:
    """The hasher every stored password is made with (argon2id, OWASP's minimum)."""
    return PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB,
                          parallelism=ARGON2_PARALLELISM)


# a slot is given up after this long waiting, and the hash computed anyway: a worker killed while holding one
# (a multiprocessing semaphore is not released by the kernel) must never stop sign-ins
HASH_SLOT_WAIT_S = 10.0


def hash_slots() -> int:
    """How many argon2 computations may run at once (CCTNS_HASH_SLOTS, default the number of CPUs)."""
    try:
        return max(1, int(os.environ.get("CCTNS_HASH_SLOTS") or 0) or (os.cpu_count() or 1))
    except ValueError:
        return os.cpu_count() or 1


_hasher = production_hasher()
_dummy_hash: str | None = None
_slots: Any = threading.BoundedSemaphore(hash_slots())  # per process until share_hash_slots()


def share_hash_slots(slots: int | None = None) -> None:
    """One bound on argon2 computations for this process and every process forked from it afterwards
    (gunicorn's master calls it before forking the workers; in one process a thread semaphore does)."""
    global _slots
    _slots = multiprocessing.get_context("fork").BoundedSemaphore(slots or hash_slots())


@contextmanager
def _hash_slot() -> Iterator[None]:
    slots = _slots
    got = slots.acquire(timeout=HASH_SLOT_WAIT_S)
    try:
        yield
    finally:
        if got:
            slots.release()


# the hashes libsodium verifies: the production parameters (any other goes to argon2-cffi)
SODIUM_PREFIX = f"$argon2id$v=19$m={ARGON2_MEMORY_KIB},t={ARGON2_TIME_COST},p={ARGON2_PARALLELISM}$"


def set_hasher(hasher: PasswordHasher) -> None:
    """Replace the hasher (tests use cheap parameters; never call this in production)."""
    global _hasher, _dummy_hash
    _hasher = hasher
    _dummy_hash = None


def hash_password(password: str) -> str:
    with _hash_slot():
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; False for a mismatch or an unreadable hash (never raises).

    An over-long password costs exactly what `burn_verify` costs (one verification of its first
    MAX_PASSWORD_LENGTH characters against the dummy hash): an early return would answer known users
    ~100 ms faster than unknown ones and tell usernames apart (issue 9, finding 7)."""
    if len(password) > MAX_PASSWORD_LENGTH:
        burn_verify(password)
        return False
    return _verify(password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    with _hash_slot():
        if nacl is not None and password_hash.startswith(SODIUM_PREFIX):
            try:
                return bool(nacl.pwhash.argon2id.verify(password_hash.encode(), password.encode()))
            except nacl.exceptions.InvalidkeyError:
                return False
            except (nacl.exceptions.CryptoError, ValueError, TypeError):
                pass  # not one libsodium reads: argon2-cffi decides
        try:
            return _hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def burn_verify(password: str) -> None:
    """Spend the same work as one real verification (unknown users, over-long passwords): one verify of
    at most MAX_PASSWORD_LENGTH characters against a hash made with the current parameters."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not-a-real-password-0123456789")
    _verify(_dummy_hash, password[:MAX_PASSWORD_LENGTH])


def validate_password(password: str, username: str = "") -> None:
    """Raise ValueError unless the password is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"password must be at most {MAX_PASSWORD_LENGTH} characters")
    if username and password.strip().lower() == username.strip().lower():
        raise ValueError("password must not be the username")
