"""What a file or a download is when it should have been a PDF: the one answer every part of the package gives."""
from __future__ import annotations

import re

PDF_MAGIC = b"%PDF-"


def is_pdf_head(head: bytes) -> bool:
    """Whether the first kilobyte of a file holds the PDF header (some files have junk before it)."""
    return PDF_MAGIC in head[:1024]


def what_is(head: bytes, content_type: str = "") -> str:
    """What bytes that should have been a PDF are, as a noun phrase ("an HTML page titled 'Just a moment'").

    head is the start of the file or response (a few KB); content_type is the server's, when there was one: the
    magic bytes decide, the content type only names what came back."""
    h = head.lstrip().lower()
    ct = content_type.split(";")[0].strip().lower()
    said = f" ({content_type})" if content_type else ""
    if not head:
        return "empty"
    if h.startswith((b"<!doctype html", b"<html")) or b"<html" in h[:512] or ct == "text/html":
        title = re.search(rb"<title[^>]*>(.*?)</title>", head[:4096], flags=re.IGNORECASE | re.DOTALL)
        name = " ".join(title[1].decode("utf-8", "replace").split())[:80] if title else ""
        return f"an HTML page{f' titled {name!r}' if name else ''}{said}"
    if head.startswith(b"\x89PNG"):
        return "a PNG image"
    if head.startswith(b"\xff\xd8"):
        return "a JPEG image"
    if head.startswith(b"\x1f\x8b"):
        return "a gzip archive"
    if head.startswith(b"PK"):
        return "a ZIP archive"
    if head.startswith(b"%!PS"):
        return "a PostScript file"
    if h.startswith((b"{", b"[")) or ct == "application/json":
        return f"JSON{said}"
    if h.startswith(b"<") or ct in ("text/xml", "application/xml"):
        return f"XML{said}"
    return f"{content_type or 'data'} without a %PDF header"
