"""The journal: signing, the summary PDF (PDF/A, PAdES), corrections, IP status, verification."""
