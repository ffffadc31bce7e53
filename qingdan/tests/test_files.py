import errno
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from qingdan.files import save_new


class FullDisk(io.FileIO):
    def write(self, data):
        super().write(data[:3])
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_save_that_fails_half_way_leaves_no_file_and_keeps_its_error(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path)
    storage.save("kept/other.bin", ContentFile(b"another file"))
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: FullDisk(fd, "wb"))
    with pytest.raises(OSError) as failed:
        save_new(storage, "kept/new-0123.bin", ContentFile(b"content"))
    assert failed.value.errno == errno.ENOSPC
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["other.bin"]


def test_a_name_the_storage_would_shorten_is_refused_before_saving(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    with pytest.raises(ValueError, match="longer than 10"):
        save_new(storage, "a-very-long-name.bin", ContentFile(b"content"), max_length=10)
    assert list(tmp_path.iterdir()) == []
