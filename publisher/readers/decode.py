"""A file's bytes → clean text: the one decoder every reader uses, and the one control-character pass.

UTF-8 (with or without BOM) and UTF-16 with BOM are read as they say; anything else is guessed
(Western single-byte text is nearly always Windows-1252) with a warning, because an author's
chapter saved in Latin-1 is still the author's chapter. Line endings become LF; characters no
book can hold (control characters, U+FFFE) are removed with one warning naming the first line.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..errors import Problem, Warnings

_BINARY_SIGNATURES = (b"\x89PNG", b"%PDF", b"PK\x03\x04", b"\xff\xd8\xff", b"GIF8", b"\x7fELF", b"MZ",
                      b"\xd0\xcf\x11\xe0", b"Rar!", b"\x1f\x8b")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A detector's guess is kept only for these (non-Latin scripts it tells apart well); for short
# Western texts it often names an exotic cousin (cp1006, mac_roman…), so anything else is read as
# Windows-1252, which is what such files nearly always are.
_TRUSTED = {"cp1251", "koi8-r", "koi8-u", "iso8859-5", "cp1253", "iso8859-7", "cp1255", "iso8859-8", "cp1256",
            "iso8859-6", "cp1254", "iso8859-9", "shift-jis", "cp932", "euc-jp", "iso2022-jp", "gb2312", "gbk",
            "gb18030", "big5", "cp950", "euc-kr", "cp949", "tis-620", "cp874", "utf-16", "utf-32"}


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def looks_binary(data: bytes) -> bool:
    """An image, archive or program rather than text: a known signature, or many control bytes.
    A stray NUL or two in a long story is text with damage, which the reader cleans up."""
    head = data[:4096]
    if head.startswith(_BINARY_SIGNATURES):
        return True
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if not head or control / len(head) <= 0.1:
        return False
    # Many control bytes: binary, unless it is clean UTF-8 with no NUL (a short text with a few
    # stray control characters, which the reader removes).
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"\x00" in head


def decode_bytes(data: bytes, where: str, warn: Warnings | None = None, what: str = "text") -> str:
    """Bytes → text; a Problem when they are not text at all. A guessed encoding is said to `warn`."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise Problem(f"broken {encoding} text at byte {error.start}", where) from None
    if looks_binary(data):
        raise Problem(f"this is a binary file, not {what}", where)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
    from charset_normalizer import from_bytes  # slow to import: only for files that need it

    best = from_bytes(data).best()
    guess = (best.encoding if best else "cp1252").lower().replace("_", "-")
    if guess not in _TRUSTED:
        guess = "cp1252"
    try:
        text = data.decode(guess)
    except (UnicodeDecodeError, LookupError):
        guess, text = "latin-1", data.decode("latin-1")
    if warn is not None:
        warn(f"not UTF-8: read as {_NAMES.get(guess, guess)}; save the file as UTF-8 to be sure", where, line)
    return text


_NAMES = {"cp1252": "Windows-1252 (Latin-1)", "latin-1": "Latin-1"}


def clean(text: str, where: str, warn: Warnings | None = None) -> str:
    """LF line endings, and no character a book cannot hold (said once, at the first one's line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = _INVALID_XML.search(text)
    if first is None:
        return text
    cleaned, removed = _INVALID_XML.subn("", text)
    if warn is not None:
        line = text.count("\n", 0, first.start()) + 1
        warn(f"removed {removed} control character(s) that cannot appear in a book", where, line)
    return cleaned


def read_text(path: Path, where: str | None = None, warn: Warnings | None = None, what: str = "text",
              say_encoding: bool = True) -> str:
    """A file → clean text with LF lines; a Problem naming the file when it is not text.
    A story saved from an archive is often Windows-1252: `say_encoding=False` takes it quietly."""
    where = where or str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Problem(f"cannot read: {error.strerror}", where) from None
    return clean(decode_bytes(data, where, warn if say_encoding else None, what), where, warn)
