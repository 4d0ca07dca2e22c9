"""Encryption at rest for ID numbers and phone numbers, and the keyed hash that finds them.

One key from the environment (``SHOUHU_FIELD_KEY``, a Fernet key: 32 random bytes, url-safe base64)
is stretched with HKDF into two independent keys: one encrypts the values (Fernet: AES-128-CBC with
HMAC-SHA256, a fresh IV per value, so two equal numbers never look alike in the database), the other
computes the HMAC-SHA256 lookup hash that exact searches and the uniqueness of ID numbers go through.

``EncryptedCharField`` stores the Fernet token; Python code sees the plain value. Its only lookups are
``isnull`` and — when the field names a ``hash_field`` — ``exact``/``iexact``/``in``, which compare the
keyed hash column instead of the ciphertext. Any other lookup (``startswith``, ``contains``, ``regex``…)
is refused by Django with a ``FieldError`` rather than silently finding nothing.

``KeyedHashField`` computes its value in ``pre_save`` from the field it follows, so ``save()``,
``create()`` and ``bulk_create()`` all fill it; ``QuerySet.update()`` and ``bulk_update()`` do not run
``pre_save`` — never write these fields through them.

A value that does not decrypt (the key differs from the one the data was written with, or the column
holds something that is not a token) raises ``FieldKeyError`` at once: nothing is shown half-read.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Lookup
from django.db.models.expressions import Col

TOKEN_PREFIX = "gAAAAA"  # every Fernet token (version byte 0x80 + timestamp) starts so  # nosec B105


class FieldKeyError(ImproperlyConfigured):
    """The field-encryption key is missing, malformed, or not the key the data was written with."""


def _master_key() -> bytes:
    raw = getattr(settings, "SHOUHU_FIELD_KEY", "") or ""
    try:
        key = base64.urlsafe_b64decode(raw.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise FieldKeyError(
            "SHOUHU_FIELD_KEY is not url-safe base64 (make one with `shouhu field-key`)"
        ) from exc
    if len(key) != 32:
        raise FieldKeyError("SHOUHU_FIELD_KEY must hold 32 bytes (make one with `shouhu field-key`)")
    return key


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"shouhu:" + purpose).derive(master)


@functools.cache
def _keys(raw: str) -> tuple[Fernet, bytes]:
    master = _master_key()
    fernet = Fernet(base64.urlsafe_b64encode(_derive(master, b"field-encryption")))
    return fernet, _derive(master, b"lookup-hash")


def keys() -> tuple[Fernet, bytes]:
    """The cipher and the hash key for the key configured now (settings may change in tests)."""
    return _keys(getattr(settings, "SHOUHU_FIELD_KEY", "") or "")


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def normalise(value: str) -> str:
    """What a lookup hash is computed over: no spaces, upper case (a lower-case x check character)."""
    return "".join(str(value).split()).upper()


def keyed_hash(value: str | None) -> str | None:
    """HMAC-SHA256 of the normalised value with the derived lookup key, hex; None for empty."""
    if value is None or not normalise(value):
        return None
    _fernet, hash_key = keys()
    return hmac.new(hash_key, normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    fernet, _hash_key = keys()
    return fernet.encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    fernet, _hash_key = keys()
    try:
        return fernet.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise FieldKeyError(
            "An encrypted field could not be decrypted: SHOUHU_FIELD_KEY is not the key this database "
            "was written with (or the column holds a value that was never encrypted)."
        ) from exc


class EncryptedCharField(models.CharField):
    """A short text (ID number, phone) kept encrypted; ``max_length`` limits the plain value.

    Empty strings and NULL are stored as they are: that a parent has no phone on file is not secret,
    and it keeps "has a phone" countable.
    """

    def __init__(self, *args, hash_field: str | None = None, **kwargs):
        self.hash_field = hash_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def db_type(self, connection):
        # The token is ~120 characters whatever max_length says about the plain value.
        return connection.data_types["TextField"]

    def cast_db_type(self, connection):
        return self.db_type(connection)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if self.hash_field and lookup_name in ("exact", "iexact"):
            return HashedExact
        if self.hash_field and lookup_name == "in":
            return HashedIn
        return None

    def get_transform(self, lookup_name):
        return None


class _Hashed(Lookup):
    prepare_rhs = False
    can_use_none_as_rhs = False

    def _hash_column(self, compiler, connection):
        lhs = self.lhs
        if not isinstance(lhs, Col):
            raise NotImplementedError("an encrypted field is compared through its own column only")
        field = lhs.target
        hash_field = field.model._meta.get_field(field.hash_field)
        return compiler.compile(Col(lhs.alias, hash_field, hash_field))


class HashedExact(_Hashed):
    lookup_name = "exact"

    def as_sql(self, compiler, connection):
        sql, params = self._hash_column(compiler, connection)
        digest = keyed_hash(self.rhs)
        if digest is None:
            return "1 = 0", []
        return f"{sql} = %s", [*params, digest]


class HashedIn(_Hashed):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        sql, params = self._hash_column(compiler, connection)
        digests = sorted({d for d in (keyed_hash(v) for v in self.rhs) if d})
        if not digests:
            return "1 = 0", []
        return f"{sql} IN ({', '.join(['%s'] * len(digests))})", [*params, *digests]


class KeyedHashField(models.CharField):
    """The lookup hash of another field of the same model, recomputed on every save. Searched by exact
    value only: the pattern-ops index PostgreSQL adds to an indexed varchar serves nothing here (the
    registry's are dropped by children migration 0004)."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = keyed_hash(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
