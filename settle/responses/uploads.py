"""Files debtors upload (proof of payment, attachments): judged by their content, not their name.

A debtor's file ends up in front of an employee, so only documents and pictures that a browser
shows without running anything are let in. The leading bytes decide; the name and the content type
the browser claims are ignored, and the stored file gets a name of our own with the extension that
matches its content.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# (leading bytes, content type, extension)
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
]
# For the file picker only; it filters what the debtor is offered, it checks nothing.
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def sniff_content_type(head: bytes) -> tuple[str, str] | None:
    """The (content type, extension) that the leading bytes of a file prove, or None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def validate_upload(upload: UploadedFile) -> tuple[str, str]:
    """Return (content type, extension) of an acceptable upload or raise ValidationError."""
    size = upload.size
    if size is None:
        # Never trust a missing size: measure what was received.
        upload.seek(0, 2)
        size = upload.tell()
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff_content_type(head)
    if kind is None:
        raise ValidationError(_("Only PDF, JPEG and PNG files are accepted."), code="type")
    return kind
