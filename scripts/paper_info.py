#!/usr/bin/env python3
"""Read a paper's facts off its PDF, so the note's header and experiment numbers come from the paper, not memory.

Writes next to the note: paper.yaml (title, authors, venue, year, arXiv id, DOI, abstract, keywords, outline,
figure/table list, counts), paper.md (full text in reading order with a marker per page) and tables/tab{N}.md
(each captioned table's cells). source.yaml (from fetch_paper.py, the arXiv API) wins over what the PDF says.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.io import cli
from paperkit.io.pdf import open_pdf

PROG = "paper_info.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Read the paper's title, authors, affiliations, venue, year, arXiv id, DOI, abstract, keywords, section "
        "outline, figure/table list and counts off the PDF into DIR/paper.yaml; the full text in reading order "
        "(one <!-- page N --> marker per page) into DIR/paper.md; each captioned table's cells into "
        "DIR/tables/tab{N}.md. Fields in DIR/source.yaml (arXiv API, from fetch_paper.py) win over the PDF's. "
        "A scanned PDF without a text layer gets a paper.yaml with its page count and exit code 1.",
        [
            "python3 scripts/paper_info.py paper-notes/attention-is-all-you-need/paper.pdf",
            "python3 scripts/paper_info.py paper.pdf --out notes/attention --json",
            "python3 scripts/paper_info.py paper-notes/bert/paper.pdf --force --layout",
        ],
    )
    p.add_argument("pdf", help="the paper's PDF file")
    p.add_argument("--out", metavar="DIR", help="the note folder to write into (default: the PDF's folder)")
    p.add_argument("--force", action="store_true",
                   help="overwrite paper.yaml, paper.md and tables/*.md even when this tool did not write them")
    p.add_argument("--password", help="password of an encrypted PDF")
    p.add_argument("--layout", action="store_true",
                   help="use pymupdf4llm's ONNX layout model for paper.md instead of the lines already read (for "
                        "unusual layouts; about 0.4 s a page instead of a few ms)")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    cli.add_json_flag(p)
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    say = cli.speaker(a.quiet)
    pdf = Path(a.pdf)
    doc = open_pdf(pdf, a.password)
    # the folder the user named, symbolic links not followed: a linked PDF must not send output to its target
    folder = Path(a.out) if a.out else Path(os.path.abspath(pdf)).parent
    r = jobs.read_facts(doc, pdf, folder, force=a.force, layout=a.layout, say=say, prog=PROG)
    authors = ", ".join(r["authors"][:6]) + (" et al." if len(r["authors"]) > 6 else "")
    where = " ".join(x for x in (r["venue"] or "", str(r["year"] or "")) if x)
    arxiv = f"arXiv:{r['arxiv_id']}{r['arxiv_version'] or ''}" if r["arxiv_id"] else "no arXiv id"
    human = (f"{r['title']}\n{authors}\n{where + ' · ' if where else ''}{arxiv} · {r['pages']} pages · "
             f"{r['words']} words · {r['references']} references · {r['sections']} sections · "
             f"{len(r['tables'])} tables\n{r['paper_yaml']}\n{r['paper_md']}\n"
             + "".join(f"{t}\n" for t in r["tables"]))
    say(f"{PROG}: done in {r['seconds']:.1f} s")
    cli.emit(r, a.json, human)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
