"""Bill documents: a PDF per bill, and print batches of a billing run (docs/bill-documents.md).

- :mod:`.fonts` — the Korean font, taken from the operating system and registered once per process;
- :mod:`.sheets` — what a bill says, read set-based for a whole slice of bills;
- :mod:`.render` — the page, drawn with ReportLab, many bills into one file;
- :mod:`.batch` — the files and manifest of a print batch (the operation is
  :func:`billing.actions.build_print_batch`).
"""
