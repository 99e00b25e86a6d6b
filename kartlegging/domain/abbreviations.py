"""Abbreviations spelled out once per page.

The forms write some services as an abbreviation with its meaning in one option label:
«TSB (tverrfaglig spesialisert rusbehandling)», «Uten fast bopel (UFB)». A page that names
such a service several times (the IP prompt and the koordinator box both list the services)
spells it out the first time and writes the abbreviation after that; a page where the bare
abbreviation comes first gets it spelled out there. The glossary is read from the option
labels, so a form that adds one needs no code.
"""
import re
from collections.abc import Iterable

from markupsafe import Markup, escape

_ABBR = r"[A-ZÆØÅ]{2,6}"
_LEADING = re.compile(rf"^({_ABBR}) \((.+)\)$")     # «TSB (tverrfaglig …)»
_TRAILING = re.compile(rf"^(.+) \(({_ABBR})\)$")    # «Uten fast bopel (UFB)»


def glossary(labels: Iterable[str]) -> dict[str, tuple[str, str]]:
    """abbreviation → (its meaning, the full label as the form writes it)."""
    out: dict[str, tuple[str, str]] = {}
    for label in labels:
        m = _LEADING.match(label)
        if m:
            out.setdefault(m.group(1), (m.group(2), label))
            continue
        m = _TRAILING.match(label)
        if m:
            out.setdefault(m.group(2), (m.group(1), label))
    return out


def spell_once(text: str, terms: dict[str, tuple[str, str]], spelled: set[str]) -> Markup:
    """`text` (plain) as safe markup: each abbreviation spelled out at its first use on the
    page (`spelled` remembers the page's), an <abbr> with its meaning afterwards."""
    out = str(escape(text))
    for abbr, (meaning, full) in terms.items():
        full_html = str(escape(full))
        bare = re.compile(rf"(?<![\wÆØÅæøå]){abbr}(?![\wÆØÅæøå])")
        short = f'<abbr title="{escape(meaning)}">{abbr}</abbr>'
        if full_html in out:
            head, _, tail = out.partition(full_html)
            first = head + (short if abbr in spelled else full_html)
            spelled.add(abbr)
            out = first + tail.replace(full_html, short)
        elif m := bare.search(out):
            if abbr in spelled:
                out = bare.sub(short, out)
            else:  # spelled out here; later bare uses on the same line stay short
                spelled.add(abbr)
                out = out[:m.start()] + full_html + bare.sub(short, out[m.end():])
    return Markup(out)
