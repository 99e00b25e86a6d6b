"""Name search by word prefix: "kar han" finds "Kari Hansen" and "Karl-Johan Hanssen".

Names are split into case-folded words, stored one row per word beside the person and matched by
prefix through an index, so a search costs the same for a team of 100 or of 100,000. Case
folding is Python's, so Æ/Ø/Å fold correctly on SQLite too (its own LIKE folds ASCII only).
"""
import re

WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TOKEN = 100
# Above every character a name can hold: `token < prefix + TOP` is a prefix match on a B-tree.
TOP = "\U0010ffff"


def tokens(text: str) -> list[str]:
    """The distinct case-folded words of a name or a query, in order."""
    seen: dict[str, None] = {}
    for w in WORD.findall(text or ""):
        seen.setdefault(w.casefold()[:MAX_TOKEN], None)
    return list(seen)


def number_prefix(query: str) -> str | None:
    """The digits of a query that is a (partial) identity number: 4+ digits, nothing else."""
    compact = re.sub(r"[\s.\-]", "", query or "")
    return compact if len(compact) >= 4 and compact.isdigit() else None
