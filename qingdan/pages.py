"""Small helpers shared by list pages and downloads."""

import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files import File
from django.core.paginator import Paginator
from django.http import HttpResponse

from qingdan import clock
from qingdan.spreadsheets import XLSX_CONTENT_TYPE

PAGE_SIZE = 50


def paginate(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def xlsx_response(content, stem):
    """Download with a Chinese file name that Excel, WPS and every browser accept."""
    name = f"{stem}-{clock.today():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response


def _pending_dir():
    path = Path(settings.MEDIA_ROOT) / "pending-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def drop_stale_uploads():
    """Delete kept uploads older than ``QINGDAN_PENDING_IMPORT_HOURS``: previews nobody confirmed. Returns how
    many. Each new upload runs it, and so may a daily job (``manage.py drop_stale_uploads``)."""
    oldest = clock.now().timestamp() - settings.QINGDAN_PENDING_IMPORT_HOURS * 3600
    dropped = 0
    for path in _pending_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
                dropped += 1
        except FileNotFoundError:
            pass  # another server dropped it first
    return dropped


def keep_upload(request, key, uploaded):
    """Keep an uploaded file between the preview and the confirmation; the session holds its key."""
    drop_stale_uploads()
    token = uuid.uuid4().hex
    with open(_pending_dir() / f"{token}.xlsx", "wb") as target:
        for chunk in uploaded.chunks():
            target.write(chunk)
    request.session[key] = {"token": token, "name": uploaded.name}
    return token


def open_kept_upload(request, key, token):
    """The kept file for ``token`` if this session uploaded it, else None."""
    kept = request.session.get(key)
    if not kept or kept.get("token") != token:
        return None
    path = _pending_dir() / f"{token}.xlsx"
    if not path.exists():
        return None
    return File(path.open("rb"), name=kept["name"])


def drop_kept_upload(request, key):
    kept = request.session.pop(key, None)
    if kept:
        (_pending_dir() / f"{kept['token']}.xlsx").unlink(missing_ok=True)


def check_upload(request, form, *, check, valid, session_key):
    """The first step of every spreadsheet import: read and check the uploaded file.

    Returns ``(result, token)``: ``result`` is what ``check(file)`` returned (None when the file
    itself could not be read — the form then carries the reason), and ``token`` names the kept
    file for the confirmation step when ``valid(result)`` (None otherwise).
    """
    from qingdan.spreadsheets import SheetError

    if not form.is_valid():
        return None, None
    uploaded = form.cleaned_data["file"]
    try:
        result = check(uploaded)
    except SheetError as problem:
        form.add_error("file", problem.message)
        return None, None
    if not valid(result):
        return result, None
    uploaded.seek(0)
    return result, keep_upload(request, session_key, uploaded)
