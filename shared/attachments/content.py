"""What a file is, decided from its bytes, and images made safe to show.

The name and the Content-Type a client gives are never read: a PHP script called
``photo.jpg`` is refused because its bytes are not a JPEG. Every image is decoded and encoded
again by Pillow, which keeps the pixels and nothing else (EXIF with its GPS position and camera
serial, XMP, comments, ICC profiles, text chunks), scaled to a maximum size with a thumbnail.
A file made to be two things at once (a PNG with a ZIP after its end) is refused rather than
silently cleaned: whoever sent it meant something by it. PDFs are kept as sent, after checks
of their shape; they are served only to staff, as downloads.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

try:  # HEIC (iPhones' default) when the maintained libheif binding is installed
    import pillow_heif
    pillow_heif.register_heif_opener()
    HEIF = True
except ImportError:  # pragma: no cover - it is in requirements.txt
    HEIF = False

HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# Pillow's name of each format we take, and the format each is stored in
PIL_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heic": "HEIF"}
STORED_AS = {"jpeg": "jpeg", "heic": "jpeg", "png": "png", "webp": "webp"}
CONTENT_TYPE = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf"}
ACCEPTED = "JPEG, PNG, WebP" + (", HEIC" if HEIF else "") + " images and PDF documents"
# signatures of archives and scripts: a photo's trailer never holds them
HOSTILE_TRAILER = re.compile(rb"PK\x03\x04|PK\x05\x06|Rar!\x1a\x07|7z\xbc\xaf\x27\x1c|<\?php|<script|<%", re.I)
# a PDF's means of running or carrying something (names may be #-escaped: /J#61vaScript)
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9])")


class Refused(ValueError):
    """The file is not taken; ``detail`` tells the sender why, in words they can act on."""

    def __init__(self, detail: str, status: int = 422) -> None:
        super().__init__(detail)
        self.detail, self.status = detail, status


@dataclass(frozen=True)
class ImageLimits:
    max_pixels: int
    max_side: int
    thumbnail_side: int


@dataclass
class Checked:
    """A file that passed: what to store. Images come as new bytes; a PDF as its own file."""

    kind: str                     # "image" | "document"
    format: str                   # stored format: jpeg, png, webp, pdf
    content_type: str
    data: bytes | None = None     # the re-encoded image (None for a PDF: store ``path``)
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None


def sniff(head: bytes) -> str | None:
    """The format the first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if HEIF and head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heic"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def check(path: Path, limits: ImageLimits) -> Checked:
    """Decide and check the file at ``path``; raises ``Refused``. CPU-bound: run it in a thread."""
    data = path.read_bytes()
    fmt = sniff(data[:16])
    if fmt is None:
        raise Refused(f"this file is not one we take: send {ACCEPTED} (the file's content decides, not its name)",
                      415)
    if fmt == "pdf":
        _check_pdf(data)
        return Checked("document", "pdf", CONTENT_TYPE["pdf"])
    _check_trailer(fmt, data)
    return _reencode(data, fmt, limits)


def _check_trailer(fmt: str, data: bytes) -> None:
    end = {"png": _png_end, "webp": _webp_end, "jpeg": _jpeg_end}.get(fmt)
    if end is None:
        return
    stop = end(data)
    if stop is None:
        raise Refused("the image is damaged or incomplete; send the original file again")
    trailer = data[stop:]
    # phones append things after a JPEG (motion-photo video): re-encoding drops those; an
    # archive or a script there is a file built to be read two ways
    if (fmt != "jpeg" and trailer.strip(b"\x00\r\n\t ")) or HOSTILE_TRAILER.search(trailer):
        raise Refused("the file holds other data after the image (an archive or script hidden in it); "
                      "send the photo on its own")


def _png_end(data: bytes) -> int | None:
    pos = 8
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        pos += 12 + length
        if kind == b"IEND":
            return pos if pos <= len(data) else None
    return None


def _webp_end(data: bytes) -> int | None:
    size = struct.unpack("<I", data[4:8])[0]
    end = 8 + size + (size & 1)
    return end if end <= len(data) + (size & 1) else None


def _jpeg_end(data: bytes) -> int | None:
    """Where the JPEG's end-of-image marker ends, walking its segments and scans; None when
    the walk runs off the end (a truncated file) or meets something that is not a marker."""
    i, n = 2, len(data)
    while i + 2 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:           # fill byte
            i += 1
            continue
        if marker == 0xD9:           # end of image
            return i + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            i += 2
            continue
        if i + 4 > n:
            return None
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if length < 2:
            return None
        i += 2 + length
        if marker == 0xDA:           # entropy-coded data up to the next real marker
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    return None
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    i = j + 2
                elif following == 0xFF:
                    i = j + 1
                else:
                    i = j
                    break
    return None


def _check_pdf(data: bytes) -> None:
    eof = data.rfind(b"%%EOF")
    if eof < 0 or eof < len(data) - 2048:
        raise Refused("the PDF is incomplete (it has no end); send the whole document again")
    if data[eof + 5:].strip(b"\x00\r\n\t "):
        raise Refused("the PDF holds other data after its end; send the document on its own")
    if b"PK\x05\x06" in data[-66_000:]:
        raise Refused("the PDF is also an archive; send the document on its own")
    names = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)
    if PDF_ACTIVE.search(names):
        raise Refused("the PDF carries scripts, launch actions or embedded files; print it to a plain PDF and "
                      "send that")


def _reencode(data: bytes, fmt: str, limits: ImageLimits) -> Checked:
    try:
        with Image.open(io.BytesIO(data), formats=[PIL_FORMAT[fmt]]) as source:
            width, height = source.size
            if width * height > limits.max_pixels:
                raise Refused(f"the image is {width}×{height} pixels; at most {limits.max_pixels:,} pixels are taken "
                              "(send a smaller photo)")
            source.load()
            image = ImageOps.exif_transpose(source)   # upright, since the orientation tag goes
    except Image.DecompressionBombError as exc:
        raise Refused(f"the image declares more than {limits.max_pixels:,} pixels; send a smaller photo") from exc
    except Refused:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, Image.UnidentifiedImageError) as exc:
        raise Refused("the image is damaged or incomplete; send the original file again") from exc
    out = STORED_AS[fmt]
    image = _mode_for(image, out)
    image.thumbnail((limits.max_side, limits.max_side), Image.Resampling.LANCZOS)
    thumb = image.copy()
    thumb.thumbnail((limits.thumbnail_side, limits.thumbnail_side), Image.Resampling.LANCZOS)
    return Checked("image", out, CONTENT_TYPE[out], data=_encode(image, out), thumbnail=_encode(thumb, out),
                   width=image.width, height=image.height)


def _mode_for(image: Image.Image, out: str) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if out == "jpeg":
        if has_alpha:
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA") or (out == "png" and image.mode in ("L", "LA")):
        return image
    return image.convert("RGBA" if has_alpha else "RGB")


def _encode(image: Image.Image, out: str) -> bytes:
    image.info.clear()   # nothing the source carried is written back (Pillow reads some from info)
    buf = io.BytesIO()
    if out == "jpeg":
        image.save(buf, "JPEG", quality=85, optimize=True)
    elif out == "png":
        image.save(buf, "PNG")
    else:
        image.save(buf, "WEBP", quality=85)
    return buf.getvalue()
