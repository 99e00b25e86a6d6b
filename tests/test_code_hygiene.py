"""Comments and docstrings say the reason itself: a reader of the code has no tracker, so no
file points to a tracker number instead («see issue N»)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACKER_NUMBER = re.compile(r"\b[Ii]ssue ?#?\d")
TEXT = {".py", ".html", ".js", ".css", ".sh", ".md", ".toml", ".cfg", ".mako", ".ini", ".txt"}
# Published instrument files never change (tests/journal/test_old_versions.py pins their bytes),
# so a number in their comments stays.
PUBLISHED = {"instruments/alna-kartlegging.v3.yaml", "instruments/livskvalitet.v2.yaml"}


def _files():
    for top in ("kartlegging", "tests", "bench", "scripts", "migrations", "instruments"):
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and (path.suffix in TEXT or path.suffix in (".yaml", ".yml")):
                yield path
    yield ROOT / "config.py"


def test_no_comment_points_to_a_tracker_number():
    found = []
    for path in _files():
        rel = path.relative_to(ROOT).as_posix()
        if rel in PUBLISHED or "__pycache__" in rel:
            continue
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if TRACKER_NUMBER.search(line):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == []
