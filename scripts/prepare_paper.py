#!/usr/bin/env python3
"""One command from a paper (or two, to compare) to a note folder ready for writing: scaffold, figures, facts."""
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
        "(fetch_paper.py) -- the only case that uses the network. Two SOURCEs make a comparison (--mode compare "
        "is implied): one folder named A-vs-B with paper A's files as above and paper B's in b/ (b/paper.pdf, "
        "b/paper.yaml, b/paper.md, b/tables/) and images/b/ (with images/b/figures.yaml); both papers are "
        "checked and downloaded before anything is written.",
        [
            "python3 scripts/prepare_paper.py assets/sample-paper.pdf",
            "python3 scripts/prepare_paper.py ~/Downloads/1706.03762v7.pdf --lang zh --json",
            "python3 scripts/prepare_paper.py https://arxiv.org/abs/1706.03762 --root notes",
            "python3 scripts/prepare_paper.py 1904.06690 1808.09781 --mode compare --lang zh",
        ],
    )
    p.add_argument("source", nargs="+", metavar="SOURCE",
                   help="a PDF file, an arXiv id (1706.03762) or a paper URL (arXiv, OpenReview, PDF); give two "
                        "(paper A, then paper B) to compare them")
    p.add_argument("--root", default="paper-notes", help="folder that holds the note folders")
    p.add_argument("--name", help="short name of the note folder (default: from the title)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the note template")
    p.add_argument("--mode", choices=("full", "focus", "compare"),
                   help="note template (default: full for one SOURCE, compare for two)")
    p.add_argument("--dpi", type=int, default=200, help="resolution of the figure images")
    p.add_argument("--force", action="store_true", help="replace files that exist and were not written by these tools")
    p.add_argument("--password", help="password of an encrypted PDF")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    cli.add_json_flag(p)
    a = p.parse_args(argv)
    if len(a.source) > 2:
        p.error(f"give one SOURCE, or two to compare; got {len(a.source)}")
    if len(a.source) == 2 and a.mode not in (None, "compare"):
        p.error(f"two SOURCEs make a comparison; drop --mode {a.mode} or pass --mode compare")
    if len(a.source) == 1 and a.mode == "compare":
        p.error("--mode compare needs both papers: prepare_paper.py SOURCE_A SOURCE_B --mode compare")
    a.mode = a.mode or ("compare" if len(a.source) == 2 else "full")
    return a


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    result = jobs.prepare(a.source[0], Path(a.root), name=a.name, lang=a.lang, mode=a.mode, dpi=a.dpi,
                          force=a.force, password=a.password, say=cli.speaker(a.quiet), prog=PROG,
                          source_b=a.source[1] if len(a.source) == 2 else None)
    if "b" in result:
        cli.emit(result, a.json, _human_compare(result))
        return 0
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


def _human_compare(result: dict) -> str:
    lines = [f"note folder: {result['folder']}"]
    for label, side in (("A", result), ("B", result["b"])):
        lines += [
            f"  paper {label}:  {side['title'] or '(title not found)'}",
            f"    authors:  {', '.join(side['authors'] or []) or '(not found)'}",
            f"    figures:  {side['figures']} figure(s), {side['tables']} table(s) in {side['manifest']}",
            f"    facts:    {side['paper_yaml']}",
            f"    text:     {side['paper_md']}",
        ]
    return "\n".join([*lines, f"  write:    {result['readme']}"])


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
