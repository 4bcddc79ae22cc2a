"""The same ISO-first input formats for browsers that ask for this language (LocaleMiddleware
follows Accept-Language): their date boxes must show and submit ISO dates too."""

from minhang_plans.formats.zh_Hans.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

__all__ = ["DATETIME_INPUT_FORMATS", "DATE_INPUT_FORMATS"]
