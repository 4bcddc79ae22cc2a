"""Words of a Chinese text, cut by jieba (its dictionary ships inside the package; nothing is fetched).

jieba works from a table of its dictionary's half a million words and their prefixes. It builds
the table from the dictionary (0.71 s) or reads its own marshal copy of it from the temp
directory (0.70 s). That was most of the first refresh in a fresh process (1.05 s of which the
refresh proper 0.30 s; bench/results/insights_quality.txt). The table read from JSON takes
0.30 s. So the table is kept as JSON in settings.WORDS_CACHE_DIR:
- the offline bundle writes it there (`manage.py words_cache_build`, bin/make-bundle), since the
  app directory is read-only on a server (deploy/systemd: ProtectSystem=strict, and PrivateTmp
  empties the temp directory, and with it jieba's own copy, at every restart);
- elsewhere the first process that needs it writes it, where it can.
The file is named for jieba's version and the dictionary's size, so an upgrade starts a new one.
A file that cannot be read or is not such a table is ignored (the table is built again). JSON,
not pickle: reading data must not be able to run code.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from .similarity import normalise

if TYPE_CHECKING:
    import jieba  # imported when first used: loading it takes a moment

_JIEBA_LOCK = threading.Lock()


@dataclass(frozen=True)
class Loaded:
    tokenizer: jieba.Tokenizer
    from_file: bool  # the table was read from WORDS_CACHE_DIR, not built


def words_table_path() -> Path:
    """Where this jieba's table is kept (the name changes with its version and dictionary)."""
    import jieba

    size = (Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME).stat().st_size
    return Path(settings.WORDS_CACHE_DIR) / f"jieba-{jieba.__version__}-{size}.json"


def words_table_build() -> tuple[dict[str, int], int]:
    """jieba's table built from its dictionary: word or prefix -> frequency (0 for a bare prefix), and the total."""
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    with tokenizer.get_dict_file() as dictionary:
        return tokenizer.gen_pfdict(dictionary)


def words_table_write(*, table: tuple[dict[str, int], int] | None = None) -> Path:
    """Writes the table to words_table_path(), whole or not at all (a temporary file, then renamed)."""
    path = words_table_path()
    freq, total = table or words_table_build()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".words-", suffix=".json")
    try:
        # mkstemp makes the file private; the bundle's copy is unpacked by root and read by the service's user.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"total": total, "freq": freq}, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def _table_read(path: Path) -> tuple[dict[str, int], int] | None:
    try:
        with path.open(encoding="utf-8") as source:
            data = json.load(source)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    freq, total = data.get("freq"), data.get("total")
    # type(...) is int: JSON's true and false are ints to isinstance. Every value is checked (20 ms),
    # since a value of another type would fail later, inside jieba's cutting.
    if not isinstance(freq, dict) or not freq or type(total) is not int or total <= 0:
        return None
    if not all(type(count) is int for count in freq.values()):
        return None
    return freq, total


def tokenizer_load() -> Loaded:
    """A jieba tokenizer whose table comes from WORDS_CACHE_DIR if a good copy is there; else
    built, and written there if the directory can be written."""
    import jieba

    tokenizer = jieba.Tokenizer()  # initialize() is never called, so jieba logs nothing here
    path = words_table_path()
    table = _table_read(path)
    from_file = table is not None
    if table is None:
        table = words_table_build()
        # A read-only directory: the next process builds the table again.
        with contextlib.suppress(OSError):
            words_table_write(table=table)
    tokenizer.FREQ, tokenizer.total = table
    tokenizer.initialized = True
    return Loaded(tokenizer, from_file)


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    """The process's tokenizer, loaded at its first use."""
    return tokenizer_load().tokenizer


def words(text: str, extra_words: frozenset[str] = frozenset()) -> list[str]:
    """Words of `text` (two characters or more, or letters/digits), jieba's precise mode, no HMM
    (new-word guessing splits names differently from sentence to sentence)."""
    tokenizer = _tokenizer()
    with _JIEBA_LOCK:  # add_word mutates the shared dictionary
        for word in extra_words:
            if word not in tokenizer.FREQ or not tokenizer.FREQ[word]:
                tokenizer.add_word(word, freq=None)
        cut = tokenizer.lcut(normalise(text), HMM=False)
    return [w for w in cut if len(w) >= 2 or w.isascii()]
