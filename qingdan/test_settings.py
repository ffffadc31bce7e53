"""Settings for the test suite: the production settings with test-only defaults."""

import os

os.environ.setdefault("QINGDAN_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("QINGDAN_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("QINGDAN_DATA_KEYS", "t1:dGVzdC1vbmx5LWRhdGEta2V5LW5vdC1mb3ItdXNlISE=")
os.environ.setdefault("QINGDAN_LOOKUP_KEY", "dGVzdC1vbmx5LWxvb2t1cC1rZXktbm90LWZvci11c2U=")
os.environ.setdefault("QINGDAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

from qingdan.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
