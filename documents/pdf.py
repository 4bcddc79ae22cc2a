"""PDF copies of the Word documents, by LibreOffice (soffice) run headless on the server.

Offered only where `soffice` is on the PATH (Debian: apt-get install libreoffice-writer-nogui);
the pages say nothing of PDF otherwise. Each conversion runs with a profile directory of its
own, so conversions in parallel workers do not wait on one another's lock, and with a
fontconfig file that falls back from the standard's font names (仿宋_GB2312, 方正小标宋简体,
黑体, 楷体_GB2312) to installed Chinese fonts when the GB fonts themselves are absent."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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
        command = [
            binary,
            f"-env:UserInstallation=file://{work}/profile",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            work,
            str(source),
        ]
        try:
            subprocess.run(command, env=env, cwd=work, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError("生成 PDF 超时，请稍后再试或下载 Word 版。") from None
        result = Path(work) / "document.pdf"
        if not result.exists() or result.stat().st_size == 0:
            raise PdfError("生成 PDF 失败，请下载 Word 版。")
        return result.read_bytes()
