"""A paper's download into a note folder: progress, the arXiv record, and source.yaml beside paper.pdf."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import yaml

from . import fetch, fsutil
from .errors import NetworkError

Say = Callable[[str], None]
PROGRESS_MIN_BYTES = 1 * fetch.MB
SOURCE_YAML = "source.yaml"
SOURCE_HEADER = (
    "# Where paper.pdf came from, written by fetch_paper.py. For arXiv papers the fields below come from the\n"
    "# arXiv API and win over what is read off the PDF when paper_info.py writes paper.yaml.\n"
)


class DownloadProgress:
    """Says every tenth of a large download (every 5 MB when the size is not known)."""

    def __init__(self, say: Say, min_bytes: int = PROGRESS_MIN_BYTES) -> None:
        self.say = say
        self.min_bytes = min_bytes
        self.next_pct = 10
        self.next_bytes = 5 * fetch.MB

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            if total < self.min_bytes:
                return
            pct = done * 100 // total
            if pct >= self.next_pct:
                self.say(f"  {pct:3d}% of {total / fetch.MB:.1f} MB")
                self.next_pct = (pct // 10 + 1) * 10
        elif done >= self.next_bytes:
            self.say(f"  {done / fetch.MB:.0f} MB so far")
            self.next_bytes += 5 * fetch.MB


def lookup_metadata(plan: fetch.DownloadPlan, options: fetch.HttpOptions, say: Say) -> fetch.ArxivMeta | None:
    """The arXiv API record; a failing API only costs the metadata, unless we are offline."""
    say(f"looking up arXiv:{plan.arxiv} in the arXiv API")
    try:
        meta = fetch.fetch_arxiv_metadata(plan, options, on_retry=lambda m, _d: say(f"warning: {m}"))
    except fetch.OfflineError:
        raise
    except NetworkError as exc:
        say(f"warning: no arXiv metadata ({exc}); continuing with the PDF alone")
        return None
    if meta is None:
        say(f"warning: the arXiv API has no entry for {plan.arxiv}; continuing with the PDF alone")
    return meta


def download(plan: fetch.DownloadPlan, dest: Path, options: fetch.HttpOptions, say: Say,
             password: str | None = None) -> fetch.Download:
    say(f"downloading {plan.pdf_url}")
    try:
        return fetch.download_pdf(plan.pdf_url, dest, options, on_progress=DownloadProgress(say),
                                  on_retry=lambda m, _d: say(f"warning: {m}"), password=password)
    except fetch.HttpStatusError as exc:
        if exc.status == 404 and plan.kind == "arxiv":
            raise NetworkError(f"arXiv has no paper {plan.arxiv} (HTTP 404 from {exc.url}); check the id") from None
        if exc.status == 404 and plan.kind == "openreview":
            raise NetworkError(f"OpenReview has no PDF for id {plan.openreview_id} (HTTP 404 from {exc.url}); "
                               "check the link") from None
        raise


def source_yaml_text(record: dict) -> str:
    return SOURCE_HEADER + yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=110)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def write_source_yaml(path: Path, record: dict, pdf: Path, sha256: str, *, force: bool, say: Say) -> str:
    """Writes source.yaml unless that would describe another PDF than the folder's or replace one without force.

    Returns what happened: written, unchanged, kept (an existing, different source.yaml) or skipped (the folder
    kept a paper.pdf that is not this download, so this download's record does not belong there).
    """
    if sha256_of(pdf) != sha256:
        say(f"warning: kept the existing {pdf}, which is not the file just downloaded, and did not write "
            f"{path.name}; pass --force to replace both")
        return "skipped"
    text = source_yaml_text(record)
    if path.is_file() and path.read_text(encoding="utf-8", errors="replace") == text:
        return "unchanged"
    if path.exists() and not force:
        say(f"warning: kept the existing {path} (it differs from this download); pass --force to replace it")
        return "kept"
    fsutil.atomic_write_text(path, text, overwrite=True)
    return "written"
