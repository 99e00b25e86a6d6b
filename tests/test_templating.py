"""Templates: each package renders its own folder, every template is used; static files carry a
content hash and are cached as immutable, so a page change is one request."""
import ast
import os
import re
from pathlib import Path

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


# Each package's pages live under templates/<package>/, so following a view to its page never
# changes vocabulary; pages shared by several packages (base, error, macros, shared partials)
# stand at the top of templates/ with no folder.
KARTLEGGING = Path(__file__).resolve().parent.parent / "kartlegging"
TEMPLATES = KARTLEGGING / "templates"
RENDERERS = {"render_template", "stream_template"}
TEMPLATE_TAG = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")


def _render_calls():
    """(module path, package or None, template name) for every render call in kartlegging/."""
    for path in sorted(KARTLEGGING.rglob("*.py")):
        rel = path.relative_to(KARTLEGGING)
        package = rel.parts[0] if len(rel.parts) > 1 else None
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in RENDERERS:
                continue
            first = node.args[0] if node.args else None
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                f"{rel}:{node.lineno}: name the template as a literal so its folder can be checked")
            yield rel, package, first.value


def _template_refs():
    """(template path, its folder or None, referenced name) for every extends/include/import."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        rel = path.relative_to(TEMPLATES)
        folder = rel.parts[0] if len(rel.parts) > 1 else None
        for name in TEMPLATE_TAG.findall(path.read_text()):
            yield rel, folder, name


def _folder(name):
    return name.split("/")[0] if "/" in name else None


def test_views_render_their_own_packages_templates():
    wrong = [f"{rel}: {name}" for rel, package, name in _render_calls()
             if _folder(name) not in (None, package)]
    assert wrong == []


def test_templates_reference_only_their_own_folder_or_the_shared_top():
    wrong = [f"{rel}: {name}" for rel, folder, name in _template_refs()
             if _folder(name) not in (None, folder)]
    assert wrong == []


def test_every_template_is_used_and_every_reference_exists():
    files = {p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")}
    named = {name for _, _, name in _render_calls()} | {name for _, _, name in _template_refs()}
    assert sorted(named - files) == []
    assert sorted(files - named) == []


def test_template_folders_are_package_names():
    packages = {p.name for p in KARTLEGGING.iterdir() if (p / "__init__.py").exists()}
    folders = {p.name for p in TEMPLATES.iterdir() if p.is_dir()}
    assert folders <= packages
