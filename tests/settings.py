"""Test settings: the real settings with a development key and fast password hashing."""

import os

os.environ.setdefault("SHOUHU_INSECURE_DEV_KEY", "true")
# A fixed field-encryption key, for tests only (children.crypto).
os.environ.setdefault("SHOUHU_FIELD_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")

from shouhu.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production uses Argon2
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
