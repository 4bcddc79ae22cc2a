"""insights/segmenter.py: jieba's word table kept as JSON in WORDS_CACHE_DIR cuts exactly as
jieba's own load does; a damaged or unwritable place costs time, never words."""

from __future__ import annotations

import json
from pathlib import Path

import jieba
import pytest
from django.core.management import call_command

from insights.segmenter import tokenizer_load, words_table_path
from tests.conftest import ANNUAL_2025_TXT, FIVE_YEAR_TXT


@pytest.fixture
def words_dir(settings, tmp_path: Path) -> Path:
    settings.WORDS_CACHE_DIR = tmp_path / "words"
    return settings.WORDS_CACHE_DIR


def _seed_lines() -> list[str]:
    lines = []
    for path in (FIVE_YEAR_TXT, ANNUAL_2025_TXT):
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


def test_the_table_read_from_its_file_cuts_the_seeds_as_jiebas_own_load(words_dir, tmp_path):
    first = tokenizer_load()
    assert not first.from_file
    assert words_table_path().parent == words_dir
    dictionary = Path(jieba.__file__).parent / "dict.txt"
    assert words_table_path().name == f"jieba-{jieba.__version__}-{dictionary.stat().st_size}.json"
    second = tokenizer_load()
    assert second.from_file

    jieba.setLogLevel(60)
    own = jieba.Tokenizer()
    own.tmp_dir = str(tmp_path)  # jieba's own cache, away from the shared temp directory
    own.initialize()
    assert second.tokenizer.total == own.total
    assert second.tokenizer.FREQ == own.FREQ
    lines = _seed_lines()
    assert len(lines) > 300
    assert [second.tokenizer.lcut(line, HMM=False) for line in lines] == [own.lcut(line, HMM=False) for line in lines]


@pytest.mark.parametrize(
    "content",
    # not JSON, not an object, a total that is JSON's true (an int to isinstance), a count that is a string
    ["{", "[]", '{"freq": {"区": 1}, "total": true}', '{"freq": {"区": "1", "区域": 2}, "total": 3}'],
)
def test_a_damaged_table_is_built_again_and_rewritten(words_dir, content):
    path = words_table_path()
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")

    loaded = tokenizer_load()
    assert not loaded.from_file
    assert loaded.tokenizer.lcut("推进科技创新中心建设", HMM=False) == ["推进", "科技", "创新", "中心", "建设"]
    assert json.loads(path.read_text(encoding="utf-8"))["total"] == loaded.tokenizer.total
    assert tokenizer_load().from_file


def test_a_place_that_cannot_be_written_still_gives_words(settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    settings.WORDS_CACHE_DIR = blocker / "words"

    loaded = tokenizer_load()
    assert not loaded.from_file
    assert loaded.tokenizer.lcut("闵行区粮食安全", HMM=False) == ["闵行区", "粮食安全"]
    assert blocker.read_text(encoding="utf-8") == "not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_the_command_writes_the_table_the_next_process_reads(words_dir, capsys):
    call_command("words_cache_build")
    path = words_table_path()
    assert capsys.readouterr().out == f"已写入词表：{path}\n"
    assert path.stat().st_size > 1_000_000
    assert [p.name for p in words_dir.iterdir()] == [path.name]  # no temporary file left behind
    assert path.stat().st_mode & 0o777 == 0o644  # the service's user reads what root unpacked
    assert tokenizer_load().from_file
