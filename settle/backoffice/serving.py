"""Handing employees what others wrote: a message's own HTML in a sandboxed frame, and debtors'
and messages' files under a harmless name."""

import re

from django.http import HttpResponse

# Letters, digits and a few marks; anything else in a debtor's file name becomes "_".
UNSAFE_IN_FILE_NAME = re.compile(r"[^\w.\- ]")
# What a message's own HTML may do inside its frame: show itself with its inline styles and
# embedded images, and nothing else: no script, no fetching, no forms, an origin of its own.
FRAMED_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)


def sandboxed_html(html: str) -> HttpResponse:
    """HTML written from a template, for an <iframe sandbox> on one of our pages.

    Inside an iframe's `srcdoc` the page's own policy would apply and strip the inline styles
    e-mails and letters depend on; served by itself it gets a policy of its own that allows
    those styles and nothing active, and may be framed by our pages only.
    """
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = FRAMED_POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
