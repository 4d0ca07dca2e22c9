"""Encryption at rest for ID numbers and phone numbers, and the keyed hash that finds them.

The key from the environment (``SHOUHU_FIELD_KEY``, a Fernet key: 32 random bytes, url-safe base64)
is stretched with HKDF into two independent keys: one encrypts the values (Fernet: AES-128-CBC with
HMAC-SHA256, a fresh IV per value, so two equal numbers never look alike in the database), the other
computes the HMAC-SHA256 lookup hash that exact searches and the uniqueness of ID numbers go through.

``EncryptedCharField`` stores the Fernet token; Python code sees the plain value. Its only lookups are
``isnull`` and — when the field names a ``hash_field`` — ``exact``/``iexact``/``in``, which compare the
keyed hash column instead of the ciphertext. Any other lookup (``startswith``, ``contains``, ``regex``…)
is refused by Django with a ``FieldError`` rather than silently finding nothing.

``KeyedHashField`` computes its value in ``pre_save`` from the field it follows, so ``save()``,
``create()`` and ``bulk_create()`` all fill it; ``QuerySet.update()`` and ``bulk_update()``, which do not
run ``pre_save``, go through ``EncryptedQuerySet`` (the default manager of every such model, enforced by
the system check ``shouhu.E001``), which sets the hash with the number or refuses. ``keyed_hash`` is the
one derivation of a stored hash.

Rotation: ``SHOUHU_FIELD_KEYS_OLD`` lists previous keys. Values are written with the current key and read
with whichever key wrote them; an exact lookup compares the hash under every key (``keyed_hashes``), so
rows not yet rewritten by ``shouhu rotate-field-key`` (``ops/keyrotation.py``) are still found.

A value that does not decrypt under any configured key (or the column holds something that is not a
token) raises ``FieldKeyError`` at once: nothing is shown half-read.
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
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Lookup
from django.db.models.expressions import Col

TOKEN_PREFIX = "gAAAAA"  # every Fernet token (version byte 0x80 + timestamp) starts so  # nosec B105


class FieldKeyError(ImproperlyConfigured):
    """The field-encryption key is missing, malformed, or not the key the data was written with."""


def _decode(raw: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise FieldKeyError(f"{name} is not url-safe base64 (make one with `shouhu field-key`)") from exc
    if len(key) != 32:
        raise FieldKeyError(f"{name} must hold 32 bytes (make one with `shouhu field-key`)")
    return key


def _master_key() -> bytes:
    return _decode(getattr(settings, "SHOUHU_FIELD_KEY", "") or "", "SHOUHU_FIELD_KEY")


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"shouhu:" + purpose).derive(master)


@functools.cache
def _ring(current: str, old: tuple[str, ...]) -> tuple[tuple[Fernet, bytes], ...]:
    ring = []
    for name, raw in (("SHOUHU_FIELD_KEY", current), *(("SHOUHU_FIELD_KEYS_OLD", k) for k in old)):
        master = _decode(raw, name)
        fernet = Fernet(base64.urlsafe_b64encode(_derive(master, b"field-encryption")))
        ring.append((fernet, _derive(master, b"lookup-hash")))
    return tuple(ring)


def old_keys() -> tuple[str, ...]:
    """``SHOUHU_FIELD_KEYS_OLD``: the keys a rotation moves away from, still read and still searched."""
    old = getattr(settings, "SHOUHU_FIELD_KEYS_OLD", ()) or ()
    if isinstance(old, str):
        old = old.split(",")
    return tuple(k.strip() for k in old if k and k.strip())


def ring() -> tuple[tuple[Fernet, bytes], ...]:
    """(cipher, hash key) for the current key first, then each old key (settings may change in tests)."""
    return _ring(getattr(settings, "SHOUHU_FIELD_KEY", "") or "", old_keys())


def keys() -> tuple[Fernet, bytes]:
    """The cipher and the hash key of the current key: everything written is written with these."""
    return ring()[0]


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def normalise(value: str) -> str:
    """What a lookup hash is computed over: no spaces, upper case (a lower-case x check character)."""
    return "".join(str(value).split()).upper()


def _hmac(hash_key: bytes, value: str) -> str:
    return hmac.new(hash_key, normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()


def keyed_hash(value: str | None) -> str | None:
    """HMAC-SHA256 of the normalised value with the current derived lookup key, hex; None for empty.
    The one derivation of every stored lookup hash (``KeyedHashField.pre_save``, ``EncryptedQuerySet``,
    the COPY path of the bulk import, the key rotation, the access log's hashed search terms)."""
    if value is None or not normalise(value):
        return None
    return _hmac(keys()[1], value)


def keyed_hashes(value: str | None) -> list[str]:
    """The hash of ``value`` under the current key and under each old key, current first: what a search
    compares with while a rotation is under way (a row not yet rewritten still holds an old hash)."""
    if value is None or not normalise(value):
        return []
    return list(dict.fromkeys(_hmac(hash_key, value) for _fernet, hash_key in ring()))


def encrypt(value: str) -> str:
    fernet, _hash_key = keys()
    return fernet.encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The plain value, read with the current key or, while a rotation is under way, an old one."""
    return decrypt_with_key(token)[0]


def decrypt_with_key(token: str) -> tuple[str, int]:
    """The plain value and which key of ``ring()`` read it (0: the current key)."""
    data = token.encode("ascii", "replace")
    for index, (fernet, _hash_key) in enumerate(ring()):
        try:
            return fernet.decrypt(data).decode("utf-8"), index
        except (InvalidToken, UnicodeError):
            continue
    raise FieldKeyError(
        "An encrypted field could not be decrypted: neither SHOUHU_FIELD_KEY nor any key of "
        "SHOUHU_FIELD_KEYS_OLD is the key this value was written with (or the column holds a value "
        "that was never encrypted)."
    )


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
        digests = keyed_hashes(self.rhs)
        if not digests:
            return "1 = 0", []
        if len(digests) == 1:
            return f"{sql} = %s", [*params, digests[0]]
        return f"{sql} IN ({', '.join(['%s'] * len(digests))})", [*params, *digests]


class HashedIn(_Hashed):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        sql, params = self._hash_column(compiler, connection)
        digests = sorted({d for v in self.rhs for d in keyed_hashes(v)})
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


def hash_pairs(model) -> list[tuple[models.Field, KeyedHashField]]:
    """(encrypted field, its hash field) of ``model``: each ``KeyedHashField`` names its source."""
    pairs = []
    for field in model._meta.concrete_fields:
        if isinstance(field, KeyedHashField):
            pairs.append((model._meta.get_field(field.source), field))
    return pairs


class EncryptedQuerySet(models.QuerySet):
    """The one way around ``pre_save``, closed: ``update()`` of a hashed number sets its hash in the same
    statement (or is refused when the value is an expression whose hash cannot be known), an update of
    the hash alone is refused, and ``bulk_update()`` of a number writes its hash too."""

    def update(self, **kwargs):
        for source, hash_field in hash_pairs(self.model):
            names = {source.name, source.attname}
            given = next((n for n in names if n in kwargs), None)
            hash_given = hash_field.name in kwargs or hash_field.attname in kwargs
            if given is None:
                if hash_given:
                    raise ValueError(
                        f"{self.model.__name__}.{hash_field.name} is derived from {source.name}: "
                        f"update {source.name} and the hash follows"
                    )
                continue
            value = kwargs[given]
            if hasattr(value, "resolve_expression"):
                if not hash_given:
                    raise ValueError(
                        f"{self.model.__name__}.{source.name} set by an expression: its hash "
                        f"{hash_field.name} cannot be derived; use save() or bulk_update()"
                    )
                continue  # bulk_update: both columns come as CASE expressions prepared below
            kwargs[hash_field.attname] = keyed_hash(value)
        return super().update(**kwargs)

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        fields = list(fields)
        for source, hash_field in hash_pairs(self.model):
            if source.name in fields or source.attname in fields or hash_field.name in fields:
                for obj in objs:
                    setattr(obj, hash_field.attname, keyed_hash(getattr(obj, source.attname)))
                if hash_field.name not in fields:
                    fields.append(hash_field.name)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    bulk_update.alters_data = True


class EncryptedManager(models.Manager.from_queryset(EncryptedQuerySet)):
    """The default manager of every model with a hashed number (system check ``shouhu.E001``)."""


@checks.register()
def check_hashed_models(app_configs=None, **kwargs):
    """Every model with a keyed hash writes through ``EncryptedQuerySet`` (historical copies excepted:
    simple_history writes them with ``bulk_create``/``save``, which run ``pre_save``)."""
    from django.apps import apps

    errors = []
    for model in apps.get_models():
        if not hash_pairs(model) or model.__name__.startswith("Historical"):
            continue
        for manager in (model._default_manager, *model._meta.managers):
            if not issubclass(manager._queryset_class, EncryptedQuerySet):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{manager.name} can update an ID or phone number without its "
                        "keyed hash",
                        hint="Give the model `objects = crypto.EncryptedManager()`.",
                        obj=model,
                        id="shouhu.E001",
                    )
                )
    return errors
