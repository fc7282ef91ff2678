"""Opening a PDF safely: every way a file can be wrong becomes a UserError with a sentence to act on."""
from __future__ import annotations

import os
from pathlib import Path

import pymupdf

from .errors import UserError
from .filetype import is_pdf_head, what_is

# MuPDF prints its own warnings to stderr; the scripts report problems themselves, in one line.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

MAX_PDF_BYTES = 2 * 1024**3


def check_pdf_path(path: str | os.PathLike[str]) -> Path:
    """Checks that path names a readable, non-empty file that starts like a PDF."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"{p}: no such file")
    if p.is_dir():
        raise UserError(f"{p} is a folder, not a PDF file")
    if not p.is_file():  # a pipe would block the read below forever; a device is no paper either
        raise UserError(f"{p} is not a regular file (a pipe, socket or device); give the paper's PDF file")
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise UserError(f"{p}: cannot read it ({exc.strerror})") from None
    if size == 0:
        raise UserError(f"{p} is empty (0 bytes), not a PDF")
    if size > MAX_PDF_BYTES:
        raise UserError(f"{p} is {size / 1024**3:.1f} GB; PDFs over 2 GB are not supported")
    if not is_pdf_head(head):
        kind = what_is(head)
        hint = ", perhaps a download error page" if kind.startswith("an HTML page") else ""
        raise UserError(f"{p} is not a PDF (it is {kind}{hint}); give the paper's PDF file")
    return p


def open_pdf(path: str | os.PathLike[str], password: str | None = None) -> pymupdf.Document:
    """Opens a PDF for reading, authenticating with password when it is encrypted."""
    p = check_pdf_path(path)
    try:
        doc = pymupdf.open(p, filetype="pdf")
    except Exception as exc:  # noqa: BLE001 -- MuPDF raises several types for damaged files
        raise UserError(f"{p} is damaged and cannot be read as a PDF ({_short(exc)})") from None
    if doc.needs_pass:
        if not password:
            doc.close()
            raise UserError(f"{p} is encrypted; pass --password to open it")
        if not doc.authenticate(password):
            doc.close()
            raise UserError(f"{p}: the password is wrong")
    try:
        count = doc.page_count
    except Exception as exc:  # noqa: BLE001 -- MuPDF raises several types
        raise UserError(f"{p} is damaged: its pages cannot be counted ({_short(exc)})") from None
    repaired = was_repaired(doc)
    if count == 0:
        doc.close()
        raise UserError(f"{p} has no pages" + (f" ({_damage(p)})" if repaired else ""))
    if repaired and not _anything_left(doc):
        doc.close()
        raise UserError(f"{p} is damaged ({_damage(p)}): MuPDF rebuilt it but no page has any text, image or "
                        "drawing left; get the PDF again")
    return doc


def _damage(p: Path) -> str:
    """What a damaged file most likely went through: cut short (no %%EOF at its end), or corrupted."""
    try:
        with p.open("rb") as fh:
            fh.seek(max(0, p.stat().st_size - 2048))
            tail = fh.read()
    except OSError:
        return "it cannot be read to the end"
    return "it was corrupted" if b"%%EOF" in tail else "it is cut short: perhaps an interrupted download"


def _anything_left(doc: pymupdf.Document) -> bool:
    """Whether a rebuilt document still shows something: text, an image or a drawing on some page.

    Checked only for repaired files, page by page until the first sign of content, so it costs little."""
    for i in range(doc.page_count):
        try:
            page = doc.load_page(i)
            if page.get_text("text").strip() or page.get_images() or page.get_drawings():
                return True
        except Exception:  # noqa: BLE001 -- a page MuPDF cannot load is a lost page; look at the next
            continue
    return False


def was_repaired(doc: pymupdf.Document) -> bool:
    """True when MuPDF had to rebuild a damaged cross-reference table to open the file."""
    return bool(getattr(doc, "is_repaired", False))


def page_index(doc: pymupdf.Document, page_number: int) -> int:
    """Turns a 1-based page number into an index, with a clear error when it is out of range."""
    if not 1 <= page_number <= doc.page_count:
        raise UserError(f"page {page_number} is out of range: the PDF has {doc.page_count} page(s), numbered from 1")
    return page_number - 1


def has_text_layer(doc: pymupdf.Document, sample_pages: int = 6) -> bool:
    """Whether the first pages carry extractable text (a scanned paper has none)."""
    return any(doc[i].get_text("text").strip() for i in range(min(sample_pages, doc.page_count)))


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]
