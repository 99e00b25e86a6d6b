"""Static files carry a content hash and are cached as immutable; a page change is one request."""
import os
import re

from kartlegging.templating import _static_digest


def test_static_urls_are_fingerprinted_and_immutable(client):
    html = client.get("/logg-inn").data.decode()
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert len(urls) == 3 and all(re.search(r"\?v=[0-9a-f]{16}$", u) for u in urls)
    for url in urls:
        with client.get(url) as r:
            assert r.status_code == 200
            assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_stale_or_missing_hash_is_not_cached_forever(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=0000000000000000"):
        with client.get(url) as r:
            assert r.status_code == 200
            assert "immutable" not in r.headers.get("Cache-Control", "")


def test_the_hash_follows_the_content(tmp_path):
    (tmp_path / "a.css").write_text("a{}")
    cache = {}
    first = _static_digest(str(tmp_path), "a.css", cache)
    (tmp_path / "a.css").write_text("b{}")
    os.utime(tmp_path / "a.css", ns=(1, 10**18))
    assert _static_digest(str(tmp_path), "a.css", cache) != first
    assert _static_digest(str(tmp_path), "finnes-ikke.css", cache) is None
