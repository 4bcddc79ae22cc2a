"""PDF copies of the Word documents, by LibreOffice (soffice) run headless on the server.

Offered only where `soffice` is on the PATH (Debian: apt-get install libreoffice-writer-nogui);
the pages say nothing of PDF otherwise. Each conversion runs with a profile directory of its
own, so conversions in parallel workers do not wait on one another's lock, and with a
fontconfig file that falls back from the standard's font names (仿宋_GB2312, 方正小标宋简体,
黑体, 楷体_GB2312) to installed Chinese fonts when the GB fonts themselves are absent.

Two steps, .docx → .odt → .pdf: LibreOffice (7.4) does not read w:overflowPunct from a .docx,
so its paragraphs keep hanging punctuation (a full stop set in the right margin, against GB/T
9704 5.2.2.3). Between the steps the .odt's styles are set to punctuation-wrap "simple" (what
w:overflowPunct 0 means), then the .odt is printed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

FONTCONFIG = Path(__file__).resolve().parent / "fonts.conf"
TIMEOUT_SECONDS = 120


class PdfError(RuntimeError):
    """The conversion failed; the message is for people (Chinese)."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice_path() is not None


def docx_to_pdf(data: bytes) -> bytes:
    """The PDF of a .docx (bytes in, bytes out)."""
    binary = soffice_path()
    if binary is None:
        raise PdfError("服务器未安装 LibreOffice，无法生成 PDF。")
    with tempfile.TemporaryDirectory(prefix="minhang-pdf-") as work:
        source = Path(work) / "document.docx"
        source.write_bytes(data)
        env = {
            **os.environ,
            "HOME": work,
            "FONTCONFIG_FILE": str(FONTCONFIG),
            "SAL_USE_VCLPLUGIN": "svp",
        }
        _convert(binary, work, env, source, "odt")
        opened = Path(work) / "document.odt"
        if not opened.exists() or opened.stat().st_size == 0:
            raise PdfError("生成 PDF 失败，请下载 Word 版。")
        _no_hanging_punctuation(opened)
        _convert(binary, work, env, opened, "pdf:writer_pdf_Export")
        result = Path(work) / "document.pdf"
        if not result.exists() or result.stat().st_size == 0:
            raise PdfError("生成 PDF 失败，请下载 Word 版。")
        return result.read_bytes()


def _convert(binary: str, work: str, env: dict[str, str], source: Path, target: str) -> None:
    command = [
        binary,
        f"-env:UserInstallation=file://{work}/profile",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        target,
        "--outdir",
        work,
        str(source),
    ]
    try:
        subprocess.run(command, env=env, cwd=work, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise PdfError("生成 PDF 超时，请稍后再试或下载 Word 版。") from None


def _no_hanging_punctuation(odt: Path) -> None:
    """Every paragraph style of the .odt without hanging punctuation (style:punctuation-wrap simple)."""
    rewritten = odt.with_suffix(".tmp")
    with zipfile.ZipFile(odt) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename in ("styles.xml", "content.xml"):
                data = data.replace(b'style:punctuation-wrap="hanging"', b'style:punctuation-wrap="simple"')
            # The mimetype entry stays first and uncompressed, as ODF requires.
            kind = zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(item, data, compress_type=kind)
    rewritten.replace(odt)
