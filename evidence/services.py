"""The one way any area keeps files: check them (size, type, content), keep each once per unit, and attach
them to the area's own records in the same transaction, so that a refused action leaves no file behind."""

import errno
import hashlib
import mimetypes
import os
import uuid
import zipfile

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import record
from evidence.models import Evidence
from qingdan import text
from qingdan.errors import Refused
from qingdan.files import save_new

TYPES = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
}
# Word and Excel files are ZIP archives: theirs holds its main part, so a renamed archive (or a
# workbook named .docx) is refused. Reading the directory decompresses nothing.
OFFICE_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


def check(uploaded):
    """Check an upload's size, extension and first bytes; returns its content type or raises Refused."""
    name = uploaded.name or ""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if uploaded.size > settings.QINGDAN_MAX_EVIDENCE_BYTES:
        raise Refused(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "name": name,
                "size": f"{uploaded.size / 1048576:.1f}",
                "limit": f"{settings.QINGDAN_MAX_EVIDENCE_BYTES / 1048576:.0f}",
            }
        )
    if extension not in TYPES:
        raise Refused(
            _("“%(name)s” is not an accepted type; upload PDF, images (JPG, PNG), Word or Excel files.")
            % {"name": name}
        )
    content_type, signatures = TYPES[extension]
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    part = OFFICE_PARTS.get(extension)
    if not any(head.startswith(signature) for signature in signatures) or (part and not _holds(uploaded, part)):
        raise Refused(_("The content of “%(name)s” does not match its extension.") % {"name": name})
    return content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _holds(uploaded, part):
    """Whether the upload is a ZIP archive with ``part`` in it."""
    try:
        with zipfile.ZipFile(uploaded) as archive:
            return part in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        uploaded.seek(0)


def problems(files):
    """The reason each bad file is refused; empty when every file is acceptable. Check all before keeping any."""
    found = []
    for uploaded in files:
        try:
            check(uploaded)
        except Refused as refused:
            found.append(refused.message)
    return found


def keep(*, uploaded, actor, unit=None):
    """Keep an upload in the unit's library (the actor's own by default); the same file again is the same
    evidence. Call it through ``keep_with`` so that a refused action drops what was stored."""
    unit = unit or actor.org_unit
    content_type = check(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    sha = digest.hexdigest()
    existing = Evidence.objects.filter(owner_unit=unit, sha256=sha).first()
    if existing is not None:
        return existing
    uploaded.seek(0)
    evidence = Evidence(
        owner_unit=unit,
        name=text.printable(uploaded.name).strip()[:200],  # a name as the phone or PC gave it
        content_type=content_type,
        size=uploaded.size,
        sha256=sha,
        uploaded_by=actor,
    )
    field = Evidence._meta.get_field("file")
    try:
        evidence.file = save_new(
            field.storage, _stored_name(evidence, uploaded.name), uploaded, max_length=field.max_length
        )
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise Refused(
            _(
                "The server has no room left to keep files, so this one was not kept and nothing was changed. Please tell the system administrator."
            )
        ) from error
    try:
        with transaction.atomic():
            evidence.save()
            record(
                action="evidence.added",
                actor=actor,
                obj=evidence,
                org_unit=unit,
                after={"name": evidence.name, "sha256": sha, "size": evidence.size},
            )
    except Exception as error:
        evidence.file.delete(save=False)  # no row refers to it
        if isinstance(error, IntegrityError):  # another request kept the same file a moment before
            return Evidence.objects.get(owner_unit=unit, sha256=sha)
        raise
    return evidence


def _stored_name(evidence, original):
    """The file's name in the storage: the upload's own (cut short) with a fresh token, so that no other upload
    can take it and a failed save's leftover can be deleted by it (``qingdan.files.save_new``)."""
    stem, extension = os.path.splitext(os.path.basename(original))
    return Evidence._meta.get_field("file").generate_filename(evidence, f"{stem[:40]}-{uuid.uuid4().hex}{extension}")


def drop_stored_files(pieces):
    """After a rollback: the files of evidence rows that no longer exist (a file already in the library stays)."""
    kept = set(Evidence.objects.filter(pk__in=[p.pk for p in pieces]).values_list("pk", flat=True))
    for piece in pieces:
        if piece.pk not in kept:
            piece.file.delete(save=False)


def keep_with(files, *, actor, then, unit=None):
    """Keep ``files`` in ``unit``'s library (the actor's own by default) and call ``then(pieces)`` in the same
    transaction; returns what ``then`` returns. When anything raises (a refusal, a conflict), the rows roll
    back, the files stored on the way are deleted and the exception goes on to the caller."""
    pieces = []
    try:
        with transaction.atomic():
            for uploaded in files:
                pieces.append(keep(uploaded=uploaded, actor=actor, unit=unit))
            return then(pieces)
    except Exception:
        drop_stored_files(pieces)
        raise
