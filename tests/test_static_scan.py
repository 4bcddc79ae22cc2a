"""tests/static_scan.py: a test client's WhiteNoise takes the process's first scan of the static
files only where a fresh scan would give the same result."""

import re
from pathlib import Path
from typing import Any
from wsgiref.headers import Headers

from whitenoise.base import WhiteNoise
from whitenoise.middleware import WhiteNoiseMiddleware

from tests import static_scan


def _plain(value: Any) -> Any:
    if isinstance(value, Headers):
        return sorted(value.items())
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or callable(value) or isinstance(value, str | int | float | bytes | re.Pattern):
        return value
    names = getattr(value, "__slots__", None) or vars(value)
    return (type(value).__name__, {name: _plain(getattr(value, name)) for name in names})


def _described(files: dict[str, Any]) -> dict[str, Any]:
    return {url: _plain(found) for url, found in files.items()}


def test_a_second_middleware_takes_the_first_scan_which_equals_a_fresh_one(monkeypatch):
    first = WhiteNoiseMiddleware(lambda request: None)
    second = WhiteNoiseMiddleware(lambda request: None)
    assert any(url.endswith(".css") for url in first.files), "the collected static files are served"
    assert first.files.keys() == second.files.keys()
    assert all(second.files[url] is first.files[url] for url in first.files)  # kept, not rebuilt
    # What WhiteNoise itself finds without the kept scan:
    monkeypatch.setattr(WhiteNoise, "update_files_dictionary", static_scan._scan)
    fresh = WhiteNoiseMiddleware(lambda request: None).files
    assert all(fresh[url] is not first.files[url] for url in fresh)
    assert _described(fresh) == _described(second.files)


def test_another_directory_a_new_file_or_another_setting_is_scanned_again(settings, tmp_path: Path):
    (tmp_path / "a.css").write_text("body {}", encoding="utf-8")
    settings.STATIC_ROOT = str(tmp_path)
    assert set(WhiteNoiseMiddleware(lambda request: None).files) == {"/static/a.css"}

    (tmp_path / "b.css").write_text("p {}", encoding="utf-8")
    assert set(WhiteNoiseMiddleware(lambda request: None).files) == {"/static/a.css", "/static/b.css"}

    settings.WHITENOISE_MAX_AGE = 7
    served = WhiteNoiseMiddleware(lambda request: None).files["/static/a.css"]
    assert ["Cache-Control", "max-age=7, public"] in _plain(served.alternatives)[0][2]


def test_a_static_file_is_served_through_the_test_client(client):
    middleware = WhiteNoiseMiddleware(lambda request: None)
    url = next(url for url in middleware.files if url.endswith(".css"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
