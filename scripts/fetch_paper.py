#!/usr/bin/env python3
"""Download a paper from an arXiv id or link, an OpenReview link or a PDF link, into a new note folder."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.io import cli, fetch
from paperkit.note.scaffold import LANGS, MODES

PROG = "fetch_paper.py"


def build_parser() -> argparse.ArgumentParser:
    parser = cli.make_parser(
        PROG,
        "Download a paper's PDF into a new note folder ROOT/<short>/paper.pdf (README.md and images/ beside it). "
        "SOURCE is an arXiv id (2402.17152, 2402.17152v2, arXiv:1706.03762, cs/0112017, math.GT/0309136v1), "
        "an arXiv abs/pdf/html link, an OpenReview forum or pdf link, or an http(s) link to a PDF. "
        "For arXiv the title, authors, abstract, categories and dates from the arXiv API go to source.yaml.",
        [
            "python3 scripts/fetch_paper.py 1706.03762",
            "python3 scripts/fetch_paper.py https://arxiv.org/abs/2402.17152v2 --name hstu --json",
            "python3 scripts/fetch_paper.py 'https://openreview.net/forum?id=YicbFdNTTy' --root notes",
        ],
    )
    parser.add_argument("source", metavar="SOURCE", help="arXiv id, arXiv/OpenReview link, or link to a PDF")
    parser.add_argument("--root", default="paper-notes", help="folder that holds the note folders")
    parser.add_argument("--name", metavar="SHORT", help="note folder name (default: from the paper's title)")
    parser.add_argument("--lang", default="en", choices=LANGS, help="language of the note template (README.md)")
    parser.add_argument("--mode", default="full", choices=[m for m in MODES if m != "compare"],
                        help="note template: full reading note or focus on one aspect (a comparison of two papers "
                             "is made by prepare_paper.py A B --mode compare, which fetches both)")
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


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    result = jobs.fetch_paper(args.source, Path(args.root), name=args.name, lang=args.lang, mode=args.mode,
                              force=args.force, password=args.password, timeout_s=args.timeout,
                              max_bytes=int(args.max_mb * fetch.MB), retries=args.retries, say=cli.progress)
    title = f' "{result["title"]}"' if result["title"] else ""
    human = (f"{result['pdf']}  ({fetch.human_size(result['bytes'])}, {result.pop('label')}{title})\n"
             f"{result['source_yaml']}\n"
             f"note folder: {result['folder']}")
    cli.emit(result, args.json, human)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
