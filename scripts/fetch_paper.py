#!/usr/bin/env python3
"""Download a paper from an arXiv id or link, an OpenReview link or a PDF link, into a new note folder."""
from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import yaml
from paperkit.io import cli, fetch, fsutil
from paperkit.io.errors import NetworkError, UserError
from paperkit.note.scaffold import LANGS, MODES, scaffold_note

PROG = "fetch_paper.py"
PROGRESS_MIN_BYTES = 1 * fetch.MB
SOURCE_YAML = "source.yaml"
SOURCE_HEADER = (
    "# Where paper.pdf came from, written by fetch_paper.py. For arXiv papers the fields below come from the\n"
    "# arXiv API and win over what is read off the PDF when paper_info.py writes paper.yaml.\n"
)


class DownloadProgress:
    """Prints every tenth of a large download on stderr (every 5 MB when the size is not known)."""

    def __init__(self, min_bytes: int = PROGRESS_MIN_BYTES) -> None:
        self.min_bytes = min_bytes
        self.next_pct = 10
        self.next_bytes = 5 * fetch.MB

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            if total < self.min_bytes:
                return
            pct = done * 100 // total
            if pct >= self.next_pct:
                cli.progress(f"  {pct:3d}% of {total / fetch.MB:.1f} MB")
                self.next_pct = (pct // 10 + 1) * 10
        elif done >= self.next_bytes:
            cli.progress(f"  {done / fetch.MB:.0f} MB so far")
            self.next_bytes += 5 * fetch.MB


def build_parser() -> argparse.ArgumentParser:
    parser = cli.make_parser(
        PROG,
        "Download a paper's PDF into a new note folder ROOT/<short>/paper.pdf (README.md and images/ beside it). "
        "SOURCE is an arXiv id (2402.17152, 2402.17152v2, arXiv:1706.03762, cs/0112017, math.GT/0309136v1), "
        "an arXiv abs/pdf/html link, an OpenReview forum or pdf link, or an http(s) link to a PDF. "
        "For arXiv the title, authors, abstract, categories and dates from the arXiv API go to source.yaml.",
        [
            "python scripts/fetch_paper.py 1706.03762",
            "python scripts/fetch_paper.py https://arxiv.org/abs/2402.17152v2 --name hstu --json",
            "python scripts/fetch_paper.py 'https://openreview.net/forum?id=YicbFdNTTy' --root notes",
        ],
    )
    parser.add_argument("source", metavar="SOURCE", help="arXiv id, arXiv/OpenReview link, or link to a PDF")
    parser.add_argument("--root", default="paper-notes", help="folder that holds the note folders")
    parser.add_argument("--name", metavar="SHORT", help="note folder name (default: from the paper's title)")
    parser.add_argument("--lang", default="en", choices=LANGS, help="language of the note template (README.md)")
    parser.add_argument("--mode", default="full", choices=MODES,
                        help="note template: full reading note, focus on one aspect, or compare papers")
    parser.add_argument("--force", action="store_true",
                        help="replace paper.pdf, README.md and source.yaml if the note folder has them")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="S",
                        help="seconds to wait for a server to answer or to send more data")
    parser.add_argument("--max-mb", type=float, default=200.0, metavar="MB", help="refuse PDFs larger than this")
    parser.add_argument("--password", help="password of an encrypted paper (checked after the download)")
    parser.add_argument("--retries", type=int, default=3, metavar="N",
                        help="further attempts after HTTP 429/5xx, timeouts and dropped connections")
    cli.add_json_flag(parser)
    return parser


def lookup_metadata(plan: fetch.DownloadPlan, options: fetch.HttpOptions) -> fetch.ArxivMeta | None:
    """The arXiv API record; a failing API only costs the metadata, unless we are offline."""
    cli.progress(f"looking up arXiv:{plan.arxiv} in the arXiv API")
    try:
        meta = fetch.fetch_arxiv_metadata(plan, options, on_retry=_warn)
    except fetch.OfflineError:
        raise
    except NetworkError as exc:
        cli.progress(f"warning: no arXiv metadata ({exc}); continuing with the PDF alone")
        return None
    if meta is None:
        cli.progress(f"warning: the arXiv API has no entry for {plan.arxiv}; continuing with the PDF alone")
    return meta


def _warn(message: str, _delay: float) -> None:
    cli.progress(f"warning: {message}")


def download(plan: fetch.DownloadPlan, dest: Path, options: fetch.HttpOptions,
             password: str | None = None) -> fetch.Download:
    cli.progress(f"downloading {plan.pdf_url}")
    try:
        return fetch.download_pdf(plan.pdf_url, dest, options, on_progress=DownloadProgress(), on_retry=_warn,
                                  password=password)
    except fetch.HttpStatusError as exc:
        if exc.status == 404 and plan.kind == "arxiv":
            raise NetworkError(f"arXiv has no paper {plan.arxiv} (HTTP 404 from {exc.url}); check the id") from None
        if exc.status == 404 and plan.kind == "openreview":
            raise NetworkError(f"OpenReview has no PDF for id {plan.openreview_id} (HTTP 404 from {exc.url}); "
                               "check the link") from None
        raise


def source_yaml_text(record: dict) -> str:
    return SOURCE_HEADER + yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=110)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def write_source_yaml(path: Path, record: dict, pdf: Path, sha256: str, *, force: bool) -> str:
    """Writes source.yaml unless that would describe another PDF than the folder's or replace one without force.

    Returns what happened: written, unchanged, kept (an existing, different source.yaml) or skipped (the folder
    kept a paper.pdf that is not this download, so this download's record does not belong there).
    """
    if _sha256(pdf) != sha256:
        cli.progress(f"warning: kept the existing {pdf}, which is not the file just downloaded, and did not write "
                     f"{path.name}; pass --force to replace both")
        return "skipped"
    text = source_yaml_text(record)
    if path.is_file() and path.read_text(encoding="utf-8", errors="replace") == text:
        return "unchanged"
    if path.exists() and not force:
        cli.progress(f"warning: kept the existing {path} (it differs from this download); pass --force to replace it")
        return "kept"
    fsutil.atomic_write_text(path, text, overwrite=True)
    return "written"


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.timeout <= 0:
        raise UserError("--timeout must be a positive number of seconds")
    if args.max_mb <= 0:
        raise UserError("--max-mb must be a positive number")
    if args.retries < 0:
        raise UserError("--retries must be 0 or more")
    plan = fetch.parse_source(args.source, fetch.Endpoints.from_env())
    options = fetch.HttpOptions.from_env(
        timeout_s=args.timeout, max_bytes=int(args.max_mb * fetch.MB), retries=args.retries)

    meta = lookup_metadata(plan, options) if plan.kind == "arxiv" else None
    if meta is not None:
        plan = plan.with_version(meta.version)  # the PDF of the version the metadata describes

    with tempfile.TemporaryDirectory(prefix="aipr-fetch-") as tmp:
        got = download(plan, Path(tmp) / plan.filename, options, args.password)
        cli.progress(f"got a {fetch.human_size(got.bytes)} PDF from {got.final_url}")
        note = scaffold_note(
            got.path, Path(args.root), name=args.name, force=args.force, lang=args.lang, mode=args.mode,
            title=meta.title if meta else None, authors=list(meta.authors) if meta else None,
            password=args.password,
        )

    folder = Path(note["folder"])
    source_path = folder / SOURCE_YAML
    source_state = write_source_yaml(source_path, fetch.source_record(plan, got, meta), Path(note["pdf"]),
                                     got.sha256, force=args.force)

    result = {
        "folder": str(folder),
        "pdf": str(note["pdf"]),
        "readme": str(note["readme"]),
        "images": str(note["images"]),
        "source_yaml": str(source_path),
        "source_yaml_state": source_state,
        "short_name": note["short_name"],
        "title": note.get("title") or (meta.title if meta else None),
        "authors": note.get("authors") or (list(meta.authors) if meta else []),
        "kind": plan.kind,
        "arxiv_id": plan.arxiv.base if plan.arxiv else None,
        "version": plan.arxiv.version if plan.arxiv else None,
        "pdf_url": got.url,
        "final_url": got.final_url,
        "bytes": got.bytes,
        "sha256": got.sha256,
        "created": note.get("created"),
        "kept": note.get("kept"),
    }
    label = f"arXiv:{plan.arxiv}" if plan.arxiv else got.url
    title = f' "{result["title"]}"' if result["title"] else ""
    human = (f"{result['pdf']}  ({fetch.human_size(got.bytes)}, {label}{title})\n"
             f"{result['source_yaml']}\n"
             f"note folder: {folder}")
    cli.emit(result, args.json, human)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
