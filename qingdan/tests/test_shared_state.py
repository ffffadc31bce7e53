"""Nothing a second app server needs stays in one process: the cache, the sessions, uploaded files and imports
waiting for their confirmation are shared when the settings say so, and bad values stop start-up."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings

from qingdan import pages

ROOT = Path(__file__).resolve().parents[2]
IN_MEMORY = {"BACKEND": "django.core.files.storage.InMemoryStorage"}  # stands in for a bucket shared by servers


@pytest.fixture
def bucket(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": IN_MEMORY}
    return tmp_path


def _request():
    request = RequestFactory().post("/lists/import/")
    request.session = {}
    return request


def test_an_import_kept_for_its_confirmation_goes_to_the_shared_storage(bucket):
    request = _request()
    token = pages.keep_upload(request, "import", SimpleUploadedFile("名单.xlsx", b"PK-sheet"))
    assert not any(bucket.rglob("*.xlsx"))  # nothing on this server's own disk
    # The confirmation, on whichever server it lands, reads the file back from the shared storage.
    kept = pages.open_kept_upload(request, "import", token)
    assert kept.name == "名单.xlsx" and kept.read() == b"PK-sheet"
    kept.close()
    assert pages.open_kept_upload(request, "import", "someone-elses-token") is None
    pages.drop_kept_upload(request, "import")
    assert pages.open_kept_upload(request, "import", token) is None


def test_stale_kept_imports_are_dropped_from_the_shared_storage(bucket, frozen_clock, settings):
    settings.QINGDAN_PENDING_IMPORT_HOURS = 24
    old = _request()
    pages.keep_upload(old, "import", SimpleUploadedFile("旧.xlsx", b"PK"))
    frozen_clock.shift(timedelta(hours=25))
    fresh = _request()
    fresh_token = pages.keep_upload(fresh, "import", SimpleUploadedFile("新.xlsx", b"PK"))  # drops the old one
    assert pages.open_kept_upload(old, "import", old.session["import"]["token"]) is None
    assert pages.open_kept_upload(fresh, "import", fresh_token) is not None
    assert pages.drop_stale_uploads() == 0


PROBE = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'location': s.CACHES['default'].get('LOCATION'), "
    "'sessions': s.SESSION_ENGINE, 'storage': s.STORAGES['default']['BACKEND'], "
    "'bucket': s.STORAGES['default'].get('OPTIONS', {}).get('bucket_name'), 'media': str(s.MEDIA_ROOT), "
    "'replica': s.DATABASES.get('replica', {}).get('NAME'), 'routers': getattr(s, 'DATABASE_ROUTERS', [])}))"
)


def _settings_with(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("QINGDAN_", "DJANGO_"))}
    clean.update({"QINGDAN_DEBUG": "true", "DJANGO_SETTINGS_MODULE": "qingdan.settings", **env})
    return subprocess.run(  # noqa: S603 - our own settings with fixed arguments
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_the_demo_keeps_its_own_cache_and_database_sessions_and_several_servers_share_theirs():
    demo = json.loads(_settings_with().stdout)
    assert demo["cache"].endswith("LocMemCache")
    assert demo["sessions"] == "django.contrib.sessions.backends.db"
    assert demo["storage"].endswith("FileSystemStorage") and demo["replica"] is None and demo["routers"] == []
    shared = json.loads(
        _settings_with(
            QINGDAN_REDIS_URL="redis://127.0.0.1:6379/2",
            QINGDAN_S3_BUCKET="qingdan-files",
            QINGDAN_S3_ENDPOINT_URL="http://127.0.0.1:9000",
            QINGDAN_MEDIA_ROOT="/srv/qingdan/media",
            QINGDAN_DATABASE_URL="postgresql://app@db:5432/qingdan",
            QINGDAN_REPLICA_URL="postgresql://app@replica:5432/qingdan",
        ).stdout
    )
    assert shared == {
        "cache": "qingdan.cache.ForgivingRedisCache",
        "location": "redis://127.0.0.1:6379/2",
        "sessions": "django.contrib.sessions.backends.cached_db",
        "storage": "storages.backends.s3.S3Storage",
        "bucket": "qingdan-files",
        "media": "/srv/qingdan/media",
        "replica": "qingdan",
        "routers": ["qingdan.replica.ReplicaRouter"],
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QINGDAN_REDIS_URL": "127.0.0.1:6379"}, "QINGDAN_REDIS_URL='127.0.0.1:6379' is not valid"),
        ({"QINGDAN_MEDIA_ROOT": "media"}, "QINGDAN_MEDIA_ROOT='media' is not valid"),
        (
            {"QINGDAN_S3_BUCKET": "b", "QINGDAN_S3_ENDPOINT_URL": "minio:9000"},
            "QINGDAN_S3_ENDPOINT_URL='minio:9000' is not valid",
        ),
        ({"QINGDAN_S3_BUCKET": "b", "QINGDAN_S3_ACCESS_KEY": "k"}, "QINGDAN_S3_ACCESS_KEY and QINGDAN_S3_SECRET_KEY"),
        ({"QINGDAN_REPLICA_URL": "postgresql://app@replica:5432/qingdan"}, "same kind as QINGDAN_DATABASE_URL"),
        ({"QINGDAN_REPLICA_PIN_SECONDS": "0"}, "QINGDAN_REPLICA_PIN_SECONDS='0' is not valid"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(env, message):
    result = _settings_with(**env)
    assert result.returncode != 0
    assert message in result.stderr


REDIS_AWAY = {
    "default": {
        "BACKEND": "qingdan.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there: Redis is restarting
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    "polls": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}


@pytest.mark.django_db
def test_signed_in_pages_go_on_while_redis_is_away(office):
    with override_settings(CACHES=REDIS_AWAY, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        client = Client()
        client.force_login(office)
        response = client.get("/")
        page = response.content.decode()
        assert response.status_code == 200 and office.org_unit.name in page  # signed in: the session came from the database
        assert cache.get("anything", "miss") == "miss" and cache.set("k", 1) is None  # a miss, a skipped write
