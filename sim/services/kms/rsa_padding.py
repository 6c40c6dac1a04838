"""RSASSA-PSS signing and RSAES-OAEP encryption with caller-given randomness (RFC 8017).

``cryptography`` draws the PSS salt and the OAEP seed itself, so its signatures and
ciphertexts would differ on every replay. kmsim draws them (``ctx.draws``) and encodes
here over the raw RSA operation; verifying and decrypting are deterministic, so they are
left to ``cryptography`` (and the tests check these encodings against it).
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric import rsa

#: hashlib's names of the hashes KMS's RSA algorithms use.
HASHES = {"SHA_1": "sha1", "SHA_256": "sha256", "SHA_384": "sha384", "SHA_512": "sha512"}


def _mgf1(seed: bytes, length: int, hash_name: str) -> bytes:
    """MGF1 (RFC 8017 B.2.1)."""
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.new(hash_name, seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _private_op(key: rsa.RSAPrivateKey, m: int) -> int:
    """RSASP1 with the CRT (RFC 8017 5.2.1, 2.b)."""
    n = key.private_numbers()
    s1 = pow(m, n.dmp1, n.p)
    s2 = pow(m, n.dmq1, n.q)
    return s2 + n.q * ((s1 - s2) * n.iqmp % n.p)


def pss_sign(key: rsa.RSAPrivateKey, digest: bytes, hash_name: str, salt: bytes) -> bytes:
    """RSASSA-PSS-SIGN of a message digest ``digest`` with ``salt`` (RFC 8017 8.1.1, with
    EMSA-PSS-ENCODE 9.1.1 from its step 2 on: the hash of the message is given)."""
    mod_bits = key.key_size - 1
    em_len = (mod_bits + 7) // 8
    h_len = len(digest)
    if em_len < h_len + len(salt) + 2:
        raise ValueError("encoding error: the key is too short for this hash and salt")
    h = hashlib.new(hash_name, b"\x00" * 8 + digest + salt).digest()
    db = b"\x00" * (em_len - len(salt) - h_len - 2) + b"\x01" + salt
    masked = bytearray(_xor(db, _mgf1(h, em_len - h_len - 1, hash_name)))
    masked[0] &= 0xFF >> (8 * em_len - mod_bits)
    em = bytes(masked) + h + b"\xbc"
    s = _private_op(key, int.from_bytes(em, "big"))
    return s.to_bytes((key.key_size + 7) // 8, "big")


def oaep_encrypt(key: rsa.RSAPublicKey, message: bytes, hash_name: str, seed: bytes) -> bytes:
    """RSAES-OAEP-ENCRYPT with an empty label and the given ``seed`` (RFC 8017 7.1.1);
    ValueError when the message is longer than k - 2hLen - 2 bytes."""
    k = (key.key_size + 7) // 8
    l_hash = hashlib.new(hash_name, b"").digest()
    h_len = len(l_hash)
    if len(message) > k - 2 * h_len - 2 or len(seed) != h_len:
        raise ValueError("message too long")
    db = l_hash + b"\x00" * (k - len(message) - 2 * h_len - 2) + b"\x01" + message
    masked_db = _xor(db, _mgf1(seed, k - h_len - 1, hash_name))
    masked_seed = _xor(seed, _mgf1(masked_db, h_len, hash_name))
    em = b"\x00" + masked_seed + masked_db
    numbers = key.public_numbers()
    return pow(int.from_bytes(em, "big"), numbers.e, numbers.n).to_bytes(k, "big")


def oaep_capacity(key_bits: int, hash_name: str) -> int:
    """The longest message RSAES-OAEP encrypts under a key of ``key_bits`` (k - 2hLen - 2)."""
    return key_bits // 8 - 2 * hashlib.new(hash_name).digest_size - 2
