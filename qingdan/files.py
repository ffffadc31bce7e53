"""Keeping a file in a storage (the media folder, or the S3 bucket of QINGDAN_S3_*) so that a failed save leaves
nothing behind."""

import logging

logger = logging.getLogger(__name__)


def save_new(storage, name, content, *, max_length=None):
    """Save ``content`` under ``name``, a name no other save can take (a ``uuid4().hex`` in it), and return it.

    When the save fails (a full disk, a quota), whatever it wrote is deleted before the error goes on. Django's
    ``FileSystemStorage`` creates the file (``O_EXCL``) and then writes it chunk by chunk, so a write that fails
    leaves a partial file; it picks another name only when the one asked for exists, which a fresh token
    rules out. So the partial file is under ``name`` itself, and deleting ``name`` cannot remove another
    upload's file."""
    if max_length is not None and len(name) > max_length:
        # The storage would then choose a shorter name of its own, which a failed save could leave behind.
        raise ValueError(f"{name!r} is longer than {max_length} characters")
    try:
        return storage.save(name, content, max_length=max_length)
    except Exception:
        try:
            storage.delete(name)
        except Exception:  # the save's own error is the one to report
            logger.exception("could not delete %s after its save failed", name)
        raise
