"""Page weight and round trips: bytes (raw and gzipped) and the requests each page makes."""
import gzip
import re
from urllib.parse import urlsplit

ASSET = re.compile(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"', re.I)
GOAL_BYTES = 100 * 1024


def assets(html: str) -> list[str]:
    return [u for u in ASSET.findall(html) if not u.startswith("data:")]


def measure(client, paths: dict) -> dict:
    """Per page: raw/gzip bytes of the page and its assets, requests, third-party requests, and the
    requests a second visit makes (an asset served `immutable` is not fetched again)."""
    out = {}
    for name, path in paths.items():
        r = client.get(path)
        assert r.status_code in (200, 401), f"{path}: {r.status_code}"
        html = r.get_data()
        raw, gz, third, again = len(html), len(gzip.compress(html)), 0, 1
        urls = assets(html.decode())
        for url in urls:
            if urlsplit(url).netloc:
                third += 1
                continue
            with client.get(url) as a:
                body = a.get_data()
                cache = a.headers.get("Cache-Control", "")
            raw, gz = raw + len(body), gz + len(gzip.compress(body))
            if "immutable" not in cache:
                again += 1
        out[name] = {"bytes": raw, "gzip_bytes": gz, "requests": 1 + len(urls),
                     "third_party": third, "requests_next_visit": again}
    return out
