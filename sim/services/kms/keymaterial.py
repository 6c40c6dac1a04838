"""Key material of asymmetric and HMAC keys, derived from a seed (R-KMS-ASYM-01).

A key's seed is 32 bytes drawn at CreateKey (``draws["KeySeed"]``, kept as
``Key.key_seed``), so the same log gives the same key pairs on every replay. EC, Ed25519,
ML-DSA and ML-KEM keys come from the seed through ``cryptography``; RSA keys from a
deterministic prime search over a SHAKE-256 stream of the seed, since ``cryptography``
cannot generate RSA keys from a seed. Derived keys are cached in memory by seed: the world
holds only the seed (RSA-4096 takes seconds to derive).
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, mlkem, rsa

from projections.model import Key

#: Each spec's curve. A scalar below 2**(bits - 1) is below every one of these curves'
#: orders (each is above 2**(bits - 1)), so it is a valid private value.
_CURVES: dict[str, ec.EllipticCurve] = {
    "ECC_NIST_P256": ec.SECP256R1(), "ECC_NIST_P384": ec.SECP384R1(),
    "ECC_NIST_P521": ec.SECP521R1(), "ECC_SECG_P256K1": ec.SECP256K1()}
_RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
_ML_DSA = {"ML_DSA_44": mldsa.MLDSA44PrivateKey, "ML_DSA_65": mldsa.MLDSA65PrivateKey,
           "ML_DSA_87": mldsa.MLDSA87PrivateKey}
#: ML-KEM classes of the installed ``cryptography`` (it has no ML-KEM-512).
_ML_KEM = {"ML_KEM_768": mlkem.MLKEM768PrivateKey, "ML_KEM_1024": mlkem.MLKEM1024PrivateKey}
_E = 65537


class NoMaterial(Exception):
    """The installed ``cryptography`` cannot make this key spec (A-ASYM-UNCOMPUTABLE)."""


def key_seed(key: Key) -> bytes:
    """The seed of ``key``: drawn at CreateKey; a key from a log older than the draw has
    :func:`identity_seed` (A-ASYM-MATERIAL)."""
    return bytes(key.key_seed) if key.key_seed else identity_seed(key)


def identity_seed(key: Key) -> bytes:
    """A seed of the key's account and key id alone (A-ASYM-MATERIAL's ``key-id``): a
    multi-Region replica, which shares both, gets its primary's material."""
    return hashlib.sha256(f"kmsim-key-seed:{key.account}:{key.key_id}".encode()).digest()


def _stream(seed: bytes, label: str, size: int) -> bytes:
    return hashlib.shake_256(f"kmsim/{label}/".encode() + seed).digest(size)


def hmac_key(spec: str, seed: bytes) -> bytes:
    """The secret of an HMAC_<bits> key: as many bytes as the spec's bits."""
    return _stream(seed, spec, int(spec.removeprefix("HMAC_")) // 8)


def supported(spec: str) -> bool:
    """Whether kmsim can make key material of ``spec`` with the installed library."""
    return spec in _CURVES or spec in _RSA_BITS or spec in _ML_DSA or spec in _ML_KEM or \
        spec == "ECC_NIST_EDWARDS25519" or spec.startswith("HMAC_")


@functools.lru_cache(maxsize=256)
def private_key(spec: str, seed: bytes) -> Any:
    """The private key of an asymmetric ``spec`` made from ``seed`` (a cryptography object);
    NoMaterial for a spec the library cannot make."""
    if spec in _CURVES:
        curve = _CURVES[spec]
        scalar = int.from_bytes(_stream(seed, spec, (curve.key_size + 7) // 8), "big")
        return ec.derive_private_key(scalar % (1 << (curve.key_size - 1)) or 1, curve)
    if spec in _RSA_BITS:
        return _rsa_key(_RSA_BITS[spec], seed)
    if spec == "ECC_NIST_EDWARDS25519":
        return ed25519.Ed25519PrivateKey.from_private_bytes(_stream(seed, spec, 32))
    if spec in _ML_DSA:
        return _ML_DSA[spec].from_seed_bytes(_stream(seed, spec, 32))
    if spec in _ML_KEM:
        return _ML_KEM[spec].from_seed_bytes(_stream(seed, spec, 64))
    raise NoMaterial(spec)


def public_der(spec: str, seed: bytes) -> bytes:
    """The public key as DER SubjectPublicKeyInfo (RFC 5280), as GetPublicKey answers it."""
    return private_key(spec, seed).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def private_der(spec: str, seed: bytes) -> bytes:
    """The private key as DER PKCS #8 PrivateKeyInfo (GenerateDataKeyPair's plaintext)."""
    return private_key(spec, seed).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


# -- RSA from a seed ----------------------------------------------------------------------

_SMALL_PRIMES = [p for p in range(3, 4000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]
#: Fixed Miller-Rabin bases: the search must be deterministic. With the sieve in front,
#: 16 rounds put a composite's chance of passing far below 2**-100 at these sizes.
_BASES = _SMALL_PRIMES[:16]
_WINDOW = 8192


def _probably_prime(n: int) -> bool:
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for a in _BASES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, seed: bytes, label: str) -> int:
    """The first prime p >= a seeded start of ``bits`` bits (top two bits set, so that
    p * q has twice the bits) with gcd(p - 1, e) = 1, searched through a sieve."""
    counter = 0
    while True:
        raw = int.from_bytes(_stream(seed, f"{label}/{counter}", bits // 8), "big")
        start = raw | (3 << (bits - 2)) | 1
        # offsets k of the candidates start + 2k that no small prime divides
        sieve = bytearray(b"\x01") * _WINDOW
        for p in _SMALL_PRIMES:
            k0 = (-start * pow(2, -1, p)) % p
            sieve[k0::p] = bytes(len(range(k0, _WINDOW, p)))
        for k in range(_WINDOW):
            c = start + 2 * k
            if sieve[k] and c.bit_length() == bits and (c - 1) % _E and _probably_prime(c):
                return c
        counter += 1


@functools.lru_cache(maxsize=64)
def _rsa_key(bits: int, seed: bytes) -> rsa.RSAPrivateKey:
    p = _prime(bits // 2, seed, f"rsa{bits}/p")
    q = _prime(bits // 2, seed, f"rsa{bits}/q")
    if p == q:  # a 2**-1000 event; a second q keeps the search total
        q = _prime(bits // 2, seed + b"\x00", f"rsa{bits}/q")
    p, q = max(p, q), min(p, q)
    d = pow(_E, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(_E, p * q))
    return numbers.private_key()
