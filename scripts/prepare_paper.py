#!/usr/bin/env python3
"""One command from a paper to a note folder ready for writing: scaffold, figures, facts."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.io import cli

PROG = "prepare_paper.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Prepare a note folder from a paper: paper-notes/<short>/ with paper.pdf and README.md from the template "
        "(scaffold_dir.py), the figures and tables cut out into images/ with images/figures.yaml "
        "(smart_extract.py), and the paper's facts in paper.yaml, its text in paper.md and its tables in "
        "tables/ (paper_info.py). SOURCE is a PDF file, or an arXiv id or a paper URL, which is downloaded "
        "(fetch_paper.py) -- the only case that uses the network.",
        [
            "python3 scripts/prepare_paper.py assets/sample-paper.pdf",
            "python3 scripts/prepare_paper.py ~/Downloads/1706.03762v7.pdf --lang zh --json",
            "python3 scripts/prepare_paper.py https://arxiv.org/abs/1706.03762 --root notes",
        ],
    )
    p.add_argument("source", help="a PDF file, an arXiv id (1706.03762) or a paper URL (arXiv, OpenReview, PDF)")
    p.add_argument("--root", default="paper-notes", help="folder that holds the note folders")
    p.add_argument("--name", help="short name of the note folder (default: from the title)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the note template")
    p.add_argument("--mode", choices=("full", "focus", "compare"), default="full", help="note template")
    p.add_argument("--dpi", type=int, default=200, help="resolution of the figure images")
    p.add_argument("--force", action="store_true", help="replace files that exist and were not written by these tools")
    p.add_argument("--password", help="password of an encrypted PDF")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    cli.add_json_flag(p)
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    result = jobs.prepare(a.source, Path(a.root), name=a.name, lang=a.lang, mode=a.mode, dpi=a.dpi, force=a.force,
                          password=a.password, say=cli.speaker(a.quiet), prog=PROG)
    human = "\n".join([
        f"note folder: {result['folder']}",
        f"  title:    {result['title'] or '(not found)'}",
        f"  authors:  {', '.join(result['authors'] or []) or '(not found)'}",
        f"  figures:  {result['figures']} figure(s), {result['tables']} table(s) in {result['manifest']}",
        f"  facts:    {result['paper_yaml']}",
        f"  text:     {result['paper_md']}",
        f"  write:    {result['readme']}",
    ])
    cli.emit(result, a.json, human)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
