#!/usr/bin/env python3
"""Check a written note against the skill's rules; one line per problem, exit 1 while any error is left."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paperkit import jobs
from paperkit.io import cli
from paperkit.note.scaffold import LANGS, MODES

PROG = "validate_note.py"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = cli.make_parser(
        PROG,
        "Check a note (README.md in a note folder) against templates/ and references/: header block and "
        "paper.yaml, sections of the mode in order, TL;DR length, Q&A as headings, images (exist, named by rule, "
        "alt text, mentioned nearby, every manifest figure shown or listed as 'Not shown: Table 9 (reason)'), "
        "balanced math, tagged code fences, leftover placeholders, stock phrases, emoji, first person, bold "
        "paragraphs, and every quoted number looked up where its source says it is printed (tables/, paper.md's "
        "pages and sections; paper B's under b/ in a comparison). Prints one line per problem, 'FILE:LINE: what is "
        "wrong: how to fix it' (warnings say 'warning:').",
        [
            "python3 scripts/validate_note.py paper-notes/attention-is-all-you-need",
            "python3 scripts/validate_note.py paper-notes/bert/README.md --mode focus --lang zh",
            "python3 scripts/validate_note.py examples/gaterec --json",
        ],
    )
    p.add_argument("note", help="the note folder (holding README.md) or the note's .md file")
    p.add_argument("--mode", default="auto", choices=("auto", *MODES),
                   help="the note's mode; auto picks the template whose headings the note has")
    p.add_argument("--lang", default="auto", choices=("auto", *LANGS),
                   help="the note's language; auto reads it from the text")
    cli.add_json_flag(p)
    # The checker writes nothing and downloads nothing: exit codes 3 and 4 of the other scripts never occur.
    p.epilog = re.sub(r"exit codes:.*", "exit codes: 0 no errors (warnings may remain), 1 errors in the note or bad "
                      "input, 2 usage", p.epilog or "")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    result = jobs.check_note(Path(a.note), mode=a.mode, lang=a.lang)
    findings = result.pop("_objects")
    human = "\n".join(f.text() for f in findings)
    if a.json:
        cli.emit(result["findings"], True, "")
    else:
        cli.emit(None, False, human)
    errors, warnings = result["errors"], result["warnings"]
    summary = f"{PROG}: {result['readme']} ({result['mode']}, {result['lang']}): "
    if errors or warnings:
        summary += f"{errors} error(s), {warnings} warning(s)"
    else:
        summary += "no problems found"
    cli.progress(summary)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(cli.run(PROG, main))
