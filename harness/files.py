"""Files for the attachment tests, made here from their formats' rules: a phone photo with its
GPS position, hostile look-alikes, a decompression bomb, and a raw client that streams a body
while it listens for the server's early answer (what a browser does; httpx sends all first)."""

from __future__ import annotations

import asyncio
import io
import json
import struct
import zipfile
import zlib
from collections.abc import Iterable
from typing import Any

from PIL import Image, ImageDraw

GPS = {1: "S", 2: (3.0, 26.0, 12.5), 3: "E", 4: (114.0, 50.0, 1.25)}   # Martapura, Kalimantan Selatan
SERIAL = "SN-4X7-0042-BUDI"
BOUNDARY = "lapor-test-boundary-7f3a"


def photo_with_gps(size: tuple[int, int] = (3000, 2000)) -> bytes:
    """A JPEG as a phone writes it: EXIF with the GPS position, camera serial, make and author."""
    image = Image.new("RGB", size, (90, 120, 160))
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 97):
        draw.line([(x, 0), (size[0] - x, size[1])], fill=(200, 180, 40), width=9)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"        # Make
    exif[0x013B] = "Budi Santoso"      # Artist
    exif[0x0112] = 6                   # Orientation: rotate 90° to show
    exif[0xA431] = SERIAL              # BodySerialNumber (in the Exif IFD below)
    exif.get_ifd(0x8769)[0xA431] = SERIAL
    exif[0x8825] = GPS                 # GPSInfo
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90, exif=exif.tobytes(), comment=b"<?php echo 'hidden'; ?>")
    return buf.getvalue()


def png(size: tuple[int, int] = (800, 600), colour: tuple[int, int, int] = (20, 160, 90)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def png_zip_polyglot() -> bytes:
    """A valid PNG with a ZIP after its end: an image viewer and an unzip tool both open it."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("shell.php", "<?php system($_GET['c']); ?>")
    return png((64, 64)) + archive.getvalue()


def php_named_jpg() -> bytes:
    return b"<?php system($_GET['cmd']); ?>\n"


def truncated_jpeg() -> bytes:
    data = photo_with_gps((1200, 900))
    return data[: len(data) * 2 // 3]


def decompression_bomb(side: int = 20_000) -> bytes:
    """A 1-bit PNG of side x side black pixels: some 60 KB that decode to 400 megapixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes((side + 7) // 8)
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pdf(filler_bytes: int = 2000) -> bytes:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    filler = b"".join(b"% surat keterangan dari kelurahan\n" for _ in range(filler_bytes // 34 + 1))
    return body + filler + b"trailer << /Root 1 0 R >>\n%%EOF\n"


def multipart(files: Iterable[tuple[str, bytes]] = (), fields: dict[str, Any] | None = None,
              file_field: str = "file") -> tuple[bytes, dict[str, str]]:
    """A multipart body with ``files`` as (name, bytes) and ``fields`` (dicts as JSON)."""
    parts = []
    for name, value in (fields or {}).items():
        text = value if isinstance(value, str) else json.dumps(value)
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + text.encode() + b"\r\n")
    for filename, data in files:
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                     f'Content-Type: image/jpeg\r\n\r\n'.encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


async def stream_upload(port: int, path: str, headers: dict[str, str], chunks: Iterable[bytes],
                        on_chunk: Any = None, content_length: int | None = None) -> tuple[int, dict[str, Any], int]:
    """POST ``chunks`` (chunked, or with ``content_length``) on a raw connection, listening for
    the answer while sending; returns (status, JSON body, bytes sent before the answer came)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framing = f"Content-Length: {content_length}" if content_length is not None else "Transfer-Encoding: chunked"
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{framing}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(head.encode() + b"\r\n")
    answer = asyncio.create_task(_read_response(reader))
    sent = 0
    try:
        for chunk in chunks:
            if answer.done():
                break
            writer.write(chunk if content_length is not None else f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            drain = asyncio.ensure_future(writer.drain())
            await asyncio.wait([drain, answer], return_when=asyncio.FIRST_COMPLETED)
            if not drain.done():
                drain.cancel()
                break
            if drain.exception() is not None:
                break
            sent += len(chunk)
            if on_chunk is not None:
                await on_chunk(sent)
        else:
            if content_length is None:
                writer.write(b"0\r\n\r\n")
        status, body = await asyncio.wait_for(answer, 60)
    finally:
        writer.close()
    return status, body, sent


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, Any]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next((int(v) for k, _, v in (line.partition(": ") for line in lines[1:]) if k.lower() == "content-length"), 0)
    body = await reader.readexactly(length) if length else b""
    return status, json.loads(body) if body else {}
