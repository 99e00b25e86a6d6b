"""The in-process server of the browser tests closes every response before werkzeug sends it
(CI once failed on an unclosed favicon.ico: Chromium left the page while the icon loaded, the
connection dropped, and werkzeug's development server skipped the response's close())."""
import builtins
import io

from flask import Flask

from .conftest import closing_responses


def test_a_file_response_is_closed_before_it_is_sent(tmp_path, monkeypatch):
    (tmp_path / "favicon.ico").write_bytes(b"\x00icon")
    app = Flask("serving_test", static_folder=str(tmp_path))
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.ico"))
    opened, real_open = [], builtins.open

    def recording_open(*args, **kwargs):
        opened.append(real_open(*args, **kwargs))
        return opened[-1]
    monkeypatch.setattr(builtins, "open", recording_open)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/favicon.ico", "SERVER_NAME": "t",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO()}
    statuses = []
    body = closing_responses(app)(environ, lambda status, headers: statuses.append(status))
    monkeypatch.undo()
    assert statuses == ["200 OK"] and list(body) == [b"\x00icon"]
    assert opened and all(f.closed for f in opened)
