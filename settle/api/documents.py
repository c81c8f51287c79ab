"""Reading an uploaded invoice document, as a raw body or as a multipart form field."""

from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from settle.common.errors import ApplicationError

# Room for the multipart boundaries and headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def _too_large(max_bytes: int) -> HttpError:
    return HttpError(
        413,
        _("The document is larger than %(max)d MB.") % {"max": max(1, max_bytes // 2**20)},
    )


def document_read(request: HttpRequest, *, max_bytes: int) -> tuple[bytes, str]:
    """The uploaded file's content and name; 413 past `max_bytes`, read no further than that.

    The size is checked against Content-Length before anything is read, and the raw body is read
    from the stream with a limit, so a huge upload never sits in memory.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if request.content_type == "multipart/form-data":
        if length > max_bytes + MULTIPART_OVERHEAD:
            raise _too_large(max_bytes)
        try:
            # Django parses multipart bodies of POST requests only; this is a PUT.
            _fields, files = request.parse_file_upload(request.META, request)
        except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent) as exc:
            raise ApplicationError(_("The multipart form could not be read.")) from exc
        upload = files.get("file")
        if upload is None:
            raise ApplicationError(_("Send the PDF in the form field “file”."))
        if upload.size > max_bytes:
            raise _too_large(max_bytes)
        return upload.read(), upload.name or ""
    if length > max_bytes:
        raise _too_large(max_bytes)
    content = request.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise _too_large(max_bytes)
    return content, ""
