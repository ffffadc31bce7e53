from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from evidence.access import downloadable


@login_required
def download(request, pk):
    """A file of the library, for its unit and for whoever sees what it is attached to; 404 for anyone else."""
    evidence = downloadable(request.user).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=evidence.name, content_type=evidence.content_type)
