"""The published formats of a document: PDF, Word (DOCX) and the data annex (XLSX and CSV).

Every format is made from the same source, the area's published HTML document (or, for the
annex, the disclosure-controlled tables that document shows), never from a notebook.
"""
