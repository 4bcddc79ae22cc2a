"""Writes jieba's word table as JSON to WORDS_CACHE_DIR (insights/segmenter.py), so that the
first link suggestions in a process read it in 0.3 s instead of building it. The offline bundle
runs this (bin/make-bundle); on a server the app directory is read-only."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from insights.segmenter import words_table_write


class Command(BaseCommand):
    help = "把结巴分词的词表写入 WORDS_CACHE_DIR（关联建议首次加载更快）。"

    def handle(self, *args: Any, **options: Any) -> None:
        path = words_table_write()
        if options["verbosity"] > 0:
            self.stdout.write(f"已写入词表：{path}")
