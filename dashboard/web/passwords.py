"""Password hashing with argon2id at OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1).

The parameters are a trade: argon2-cffi's default (RFC 9106's low-memory profile, m = 64 MiB, t = 3,
p = 4) costs ~0.3 s of CPU per sign-in, so 100 people signing in at the start of a review meeting on a
2-core server waited 10 s and more; OWASP's minimum costs ~1/6 of that and is still memory-hard.
A stored hash made with other parameters is rehashed at its owner's next sign-in (`needs_rehash`)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

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


_hasher = production_hasher()
_dummy_hash: str | None = None


def set_hasher(hasher: PasswordHasher) -> None:
    """Replace the hasher (tests use cheap parameters; never call this in production)."""
    global _hasher, _dummy_hash
    _hasher = hasher
    _dummy_hash = None


def hash_password(password: str) -> str:
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
