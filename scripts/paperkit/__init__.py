"""Shared machinery of the ai-paper-reader scripts.

Modules by the stage they serve:
  errors, cli, fsutil  -- what every script needs: user errors, the command-line frame, atomic writes
  pdf                  -- opening a PDF safely (bad input becomes a one-line error)
  naming               -- folder short names and figure file names, by the rules in references/naming-rules.md
  render               -- rendering a page region to PNG without the reader's annotations
"""
