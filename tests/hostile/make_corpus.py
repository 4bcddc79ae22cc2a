"""Builders for bad and hostile import files.

Every builder returns the file's bytes (or writes it to a path) and keeps
memory small: the zip bombs are streamed through `ZipFile.open(..., "w")` in
chunks, so a member of hundreds of megabytes never exists in memory.

    from tests.hostile.make_corpus import plan_csv, zip_bomb
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

# A minimal valid layout the importer recognises: a title naming the year, then the table.
TITLE = "标题：2030年区委、区政府重点工作任务分解表"
HEADER = ("序号", "类别", "项目", "任务", "牵头领导", "牵头单位")
CATEGORY = "一、测试类别"
PROJECT = "测试项目"
LEADER = "张三"
UNIT = "区科委"

MB = 1024 * 1024


# -- text tables ---------------------------------------------------------------


def task_row(number: int | str, text: str, *, leader: str = LEADER, unit: str = UNIT) -> list[str]:
    return [str(number), CATEGORY, PROJECT, text, leader, unit]


def plan_rows(count: int, *, prefix: str = "测试任务") -> list[list[str]]:
    return [task_row(i, f"{prefix}第{i}条，推进重点工作落实") for i in range(1, count + 1)]


def plan_csv_text(rows: Iterable[Sequence[str]], *, header: Sequence[str] = HEADER, title: str | None = TITLE) -> str:
    out = io.StringIO()
    if title:
        out.write(title + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def plan_csv(
    rows: Iterable[Sequence[str]],
    *,
    header: Sequence[str] = HEADER,
    title: str | None = TITLE,
    encoding: str = "utf-8",
) -> bytes:
    return plan_csv_text(rows, header=header, title=title).encode(encoding)


def plan_tab_text(rows: Iterable[Sequence[str]], *, header: Sequence[str] = HEADER, title: str = TITLE) -> str:
    """The tab-separated "one row per line" text layout."""
    lines = [title, "\t".join(header)]
    lines.extend("\t".join(row) for row in rows)
    return "\n".join(lines) + "\n"


# -- office documents -------------------------------------------------------------


def plan_xlsx(rows: Iterable[Sequence[object]], *, header: Sequence[str] = HEADER, title: str | None = TITLE) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "任务"
    if title:
        sheet.append([title])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def docx_without_table(
    paragraphs: Iterable[str] = (TITLE, "序号 类别 项目 任务 牵头领导 牵头单位", "1 一、测试类别"),
) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def plain_zip(members: dict[str, bytes] | None = None) -> bytes:
    """A valid zip that is neither a Word nor an Excel document."""
    members = members or {"readme.txt": "这不是文档".encode(), "data/numbers.csv": b"1,2,3\n"}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def truncated(data: bytes, fraction: float = 0.5) -> bytes:
    return data[: int(len(data) * fraction)]


# -- zip bombs ----------------------------------------------------------------------


def _stream_fill(handle, size: int, chunk: int, fill: bytes) -> None:
    block = (fill * (chunk // len(fill) + 1))[:chunk]
    left = size
    while left > 0:
        n = min(chunk, left)
        handle.write(block if n == chunk else block[:n])
        left -= n


def _bomb_bytes(*, base: bytes | None, member: str, size: int, fill: bytes, zip64: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        if base is not None:
            with zipfile.ZipFile(io.BytesIO(base)) as source:
                for info in source.infolist():
                    if info.filename != member:
                        archive.writestr(info.filename, source.read(info))
        else:
            archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open(member, "w", force_zip64=zip64) as handle:
            _stream_fill(handle, size, 1 * MB, fill)
    return buffer.getvalue()


def zip_bomb(
    target: Path | None = None,
    *,
    base: bytes | None = None,
    member: str = "word/document.xml",
    size: int = 300 * MB,
    fill: bytes = b"\0",
) -> bytes:
    """A zip whose `member` is `size` bytes of `fill`, its size declared honestly.

    With `base` (a real .docx/.xlsx) every other member is copied from it, so
    the container is otherwise a genuine document. Streamed: memory stays at
    about one 1 MB chunk; 300 MB of zeros deflate to roughly 300 KB.
    """
    data = _bomb_bytes(base=base, member=member, size=size, fill=fill, zip64=True)
    if target is not None:
        target.write_bytes(data)
    return data


def lying_zip_bomb(
    *,
    base: bytes | None = None,
    member: str = "word/document.xml",
    size: int = 300 * MB,
    declared: int = 4096,
    fill: bytes = b"\0",
) -> bytes:
    """Like `zip_bomb`, but the headers declare only `declared` bytes uncompressed.

    The declared-size check cannot see it; whatever expands the member must
    stop at the declared size (CPython's zipfile does, then fails the CRC).
    Built without zip64 so the sizes sit in the fixed 32-bit header fields.
    """
    assert size < 0x7FFFFFFF
    data = bytearray(_bomb_bytes(base=base, member=member, size=size, fill=fill, zip64=False))
    name = member.encode()
    # Local file header: signature PK\3\4, name length at 26, uncompressed size at 22.
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_len = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30 : local + 30 + name_len]) == name:
            struct.pack_into("<I", data, local + 22, declared)
            break
        local = data.find(b"PK\x03\x04", local + 4)
    else:
        raise AssertionError(f"local header of {member} not found")
    # Central directory header: signature PK\1\2, name length at 28, uncompressed size at 24.
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_len]) == name:
            struct.pack_into("<I", data, central + 24, declared)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    else:
        raise AssertionError(f"central directory entry of {member} not found")
    return bytes(data)


def many_members_zip(count: int = 2500) -> bytes:
    """A zip with more members than any Word/Excel file has."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", b"<x/>")
        for i in range(count):
            archive.writestr(f"word/media/{i}.bin", b"")
    return out.getvalue()


# -- other signatures ---------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def random_binary(size: int = 4096, seed: int = 20300101) -> bytes:
    import random

    return random.Random(seed).randbytes(size)
