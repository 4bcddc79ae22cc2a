"""Whitespace as the document means it (wraps undone, invisible characters gone) and name keys."""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs, CJK punctuation and full-width forms: the characters between
# which a space can only be a line wrap.
CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’·•"
CJK_CHAR = re.compile(f"[{CJK}]")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}])[ \\t\\n]+(?=[{CJK}])")
_NEWLINE_BESIDE_CJK = re.compile(f"(?<=[{CJK}])\\n|\\n(?=[{CJK}])")
# Zero-width characters, soft hyphens and C0/C1 control characters (not tab or
# newline): invisible in the document, rejected by PostgreSQL (NUL) or harmful.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Every Unicode space but the newline (line and paragraph separators and a lone
# carriage return become newlines first).
SPACES = re.compile(r"[^\S\n]+")
NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def clean_text(text: str) -> str:
    """Whitespace-normalised text as the document means it (wraps undone)."""
    if not text:
        return ""
    text = INVISIBLE.sub("", NEWLINES.sub("\n", text))
    text = SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _SPACE_BETWEEN_CJK.sub("", text)
    # A line break beside a Chinese character is a wrap ("下降\n12.7%", "44%;\n力争"): no space.
    text = _NEWLINE_BESIDE_CJK.sub("", text)
    # Whatever newlines remain sit between Latin text or digits: a space reads right.
    text = re.sub(r"\s*\n\s*", " ", text)
    return text.strip()


# Full-width digits, Latin letters and full stop ("６", "１２．３"), as a retyped document may print a number.
_HALF_WIDTH = str.maketrans(
    "０１２３４５６７８９．ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    "0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)


def half_width(text: str) -> str:
    """Full-width digits and letters as their ASCII selves: "６" and "6" are one 序号."""
    return text.translate(_HALF_WIDTH)


def name_key(name: str) -> str:
    """Comparison key for names: width-folded, no whitespace at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
