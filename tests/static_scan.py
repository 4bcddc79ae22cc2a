"""WhiteNoise reads the static files directory once per test process, not once per test client
(a pytest plugin, tests/conftest.py).

Django's test client builds a new request handler for every `Client()`, and so a new middleware
chain. WhiteNoise's middleware, with autorefresh off as in production, walks STATIC_ROOT in its
constructor and builds a response description (headers, compressed variants, the immutable test)
for each of its files: 86 ms per client on this project's collected files, about 8% of a
page-heavy module's time (cProfile, bench/results/test_suite.txt). A server process builds its
middleware once, so production never pays this more than once either.

So the first scan of a directory is kept, keyed by everything that shapes its result: the
directory and its URL prefix, each file's path, size and modification time (a walk with no more
than a stat per file, about 1 ms here), and every WhiteNoise setting that goes into a file's
headers. A later middleware with the same key takes the same file descriptions; any other key
(another STATIC_ROOT, other settings, a file added or rewritten by a collectstatic) scans again.
"""

from __future__ import annotations

from typing import Any

from whitenoise.base import WhiteNoise, scantree

_scan = WhiteNoise.update_files_dictionary
_scanned: dict[tuple[Any, ...], dict[str, Any]] = {}


def scan_key(whitenoise: WhiteNoise, root: str, prefix: str) -> tuple[Any, ...]:
    """What a scan of `root` by this WhiteNoise depends on."""
    from django.conf import settings

    return (
        type(whitenoise),
        root,
        prefix,
        tuple(sorted((path, stat.st_size, stat.st_mtime_ns) for path, stat in scantree(root))),
        whitenoise.max_age,
        whitenoise.allow_all_origins,
        whitenoise.charset,
        whitenoise.add_headers_function,
        whitenoise.index_file,
        whitenoise.__dict__.get("immutable_file_test"),  # set only when a setting overrides the method
        getattr(whitenoise, "static_prefix", None),
        tuple(sorted(whitenoise.media_types.types_map.items())),
        repr(settings.STORAGES.get("staticfiles")),
        settings.DEBUG,  # the manifest storage's url() answers differently with DEBUG on
    )


def _update_files_dictionary_once(self: WhiteNoise, root: str, prefix: str) -> None:
    key = scan_key(self, root, prefix)
    files = _scanned.get(key)
    if files is None:
        before = dict(self.files)
        _scan(self, root, prefix)
        files = {url: found for url, found in self.files.items() if before.get(url) is not found}
        _scanned[key] = files
    self.files.update(files)


WhiteNoise.update_files_dictionary = _update_files_dictionary_once  # type: ignore[method-assign]
