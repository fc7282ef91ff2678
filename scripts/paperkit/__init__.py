"""Shared machinery of the ai-paper-reader scripts, one module a stage.

Every script:   errors (user errors, exit codes), cli (parser with examples, --json, one-line errors),
                fsutil (atomic writes, staging folders, no overwrite without --force), pdf (opening a PDF safely),
                naming (folder and figure file names), render (a page region to PNG without annotations)
Figures:        layout (one pass over a page) -> captions -> graphics (blobs, table rules) -> regions (roles of
                text lines, region growing) -> pipeline (find_figures) -> figtype (arch/method/...) -> manifest
                (names, images/figures.yaml); model holds the data types at the seams
Other extracts: embedded (bitmaps), vector (drawing clusters), batch_output (their manifests)
Paper facts:    textlines (visual lines in reading order) -> metadata, outline, fulltext (paper.md), tables
Note folder:    scaffold (paper-notes/<short>/), notecheck (the note checker), export (HTML, zip, Obsidian)
Download:       fetch (arXiv ids and links, OpenReview, PDF links)
"""
