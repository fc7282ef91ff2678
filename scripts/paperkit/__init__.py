"""The library behind the ai-paper-reader scripts, one subpackage a subsystem; jobs.py holds one call per job.

jobs        prepare, fetch_paper, scaffold, extract_figures, read_facts, check_note, export_note (+ the seed
            extractors); the scripts are thin command lines over these
io/         errors (user errors, exit codes), cli (parser with examples, --json, one-line errors), fsutil (atomic
            writes, staging folders), pdf (opening a PDF safely), filetype (what a file that is not a PDF is),
            fetch and download (arXiv ids and links, OpenReview, PDF links), batch_output (the seed extractors' files)
figures/    the figure pipeline, stage by stage as pdffigures2 names them: layout (read page) -> graphics (blobs,
            table rules) -> captions -> regions (roles of text lines, region growing) -> pipeline (find_figures) ->
            figtype -> manifest (names, images/figures.yaml) -> render; model holds the data types at the seams,
            naming the naming rules; embedded and vector are the seed extractors
facts/      textlines (visual lines in reading order) -> metadata, outline, fulltext (paper.md), tables and cells
            (tables/tabN.md); record (paper.yaml, source.yaml)
note/       scaffold (paper-notes/<short>/), notecheck (the note checker), export (HTML, zip, Obsidian)
"""

import sys

# PyMuPDF 2 imports its ONNX layout package (pymupdf.layout: onnxruntime, numpy) and pymupdf4llm whenever it is
# imported, which doubles every script's start-up (about 0.5 s and 0.15 s); only paper_info.py --layout uses
# them, and imports them then (facts/fulltext.py). A caller that imported PyMuPDF first keeps what it has.
sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[arg-type]
sys.modules.setdefault("pymupdf4llm", None)  # type: ignore[arg-type]

import pymupdf  # noqa: E402 -- after the two lines above

# Text boxes as the glyphs' own, not stretched to the font's ascender and descender: pymupdf4llm sets this for the
# whole process when PyMuPDF imports it, every box, crop and cell of this package was measured with it, and a
# PyMuPDF without pymupdf4llm (1.x) must read pages the same way.
pymupdf.TOOLS.unset_quad_corrections(True)
