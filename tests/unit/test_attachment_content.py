"""What a file is, from its bytes, and what an image keeps after re-encoding (pure logic)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from shared.attachments import content
from harness import files

LIMITS = content.ImageLimits(max_pixels=50_000_000, max_side=2048, thumbnail_side=320)


def check(tmp_path: Path, data: bytes, limits: content.ImageLimits = LIMITS) -> content.Checked:
    path = tmp_path / "upload"
    path.write_bytes(data)
    return content.check(path, limits)


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **options)
    return buf.getvalue()


def test_the_type_comes_from_the_bytes_never_the_name() -> None:
    assert content.sniff(files.photo_with_gps((64, 64))[:16]) == "jpeg"
    assert content.sniff(files.png()[:16]) == "png"
    assert content.sniff(files.pdf()[:16]) == "pdf"
    assert content.sniff(encoded(Image.new("RGB", (8, 8)), "WEBP")[:16]) == "webp"
    assert content.sniff(b"<?php system($_GET['c']); ?>") is None
    assert content.sniff(b"GIF89a" + bytes(10)) is None       # not a format we take


def test_a_phones_photo_keeps_its_pixels_upright_and_nothing_else(tmp_path: Path) -> None:
    source = files.photo_with_gps((3000, 2000))
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)   # the GPS is there going in
    result = check(tmp_path, source)
    assert (result.kind, result.format, result.content_type) == ("image", "jpeg", "image/jpeg")
    assert (result.width, result.height) == (1365, 2048)     # rotated by its orientation tag, then scaled
    for data in (result.data, result.thumbnail):
        assert data is not None and b"Exif\x00\x00" not in data and files.SERIAL.encode() not in data
        assert not Image.open(io.BytesIO(data)).getexif()
    assert max(Image.open(io.BytesIO(result.thumbnail or b"")).size) == 320


@pytest.mark.parametrize("mode, fmt", [("CMYK", "JPEG"), ("L", "JPEG"), ("RGBA", "PNG"), ("P", "PNG"), ("LA", "PNG"),
                                       ("RGBA", "WEBP"), ("I;16", "PNG")])
def test_every_colour_mode_comes_out_showable(tmp_path: Path, mode: str, fmt: str) -> None:
    image = Image.new(mode, (300, 200))
    result = check(tmp_path, encoded(image, fmt))
    shown = Image.open(io.BytesIO(result.data or b""))
    shown.load()
    assert shown.size == (300, 200) and shown.mode in ("RGB", "RGBA", "L", "LA")


def test_png_text_chunks_and_icc_profiles_are_dropped(tmp_path: Path) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Budi Santoso")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS 3.43S 114.83E</x:xmpmeta>")
    data = encoded(Image.new("RGB", (50, 50)), "PNG", pnginfo=info, icc_profile=b"\x00" * 128)
    result = check(tmp_path, data)
    assert b"Budi" not in (result.data or b"") and b"xmpmeta" not in (result.data or b"")
    assert b"iCCP" not in (result.data or b"") and b"tEXt" not in (result.data or b"")


def test_heic_from_an_iphone_is_stored_as_jpeg(tmp_path: Path) -> None:
    assert content.HEIF
    result = check(tmp_path, encoded(Image.new("RGB", (640, 480), (10, 20, 30)), "HEIF"))
    assert (result.format, result.width, result.height) == ("jpeg", 640, 480)


@pytest.mark.parametrize("data, status, words", [
    (files.php_named_jpg(), 415, "not one we take"),
    (files.png_zip_polyglot(), 422, "other data after the image"),
    (files.decompression_bomb(), 422, "pixels"),
    (files.truncated_jpeg(), 422, "damaged"),
    (files.photo_with_gps((200, 200)) + b"PK\x03\x04" + bytes(40), 422, "other data after the image"),
    (encoded(Image.new("RGB", (20, 20)), "WEBP") + b"<?php ?>", 422, "other data after the image"),
    (b"\x89PNG\r\n\x1a\n" + bytes(30), 422, "damaged"),
    (files.pdf()[:-20], 422, "incomplete"),
    (files.pdf() + b"PK\x05\x06" + bytes(18), 422, "after its end"),
    (files.pdf().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>"),
     422, "scripts"),
])
def test_hostile_and_broken_files_are_refused_with_words_to_act_on(tmp_path: Path, data: bytes, status: int,
                                                                    words: str) -> None:
    with pytest.raises(content.Refused) as refused:
        check(tmp_path, data)
    assert refused.value.status == status and words in refused.value.detail


def test_a_motion_photo_trailer_is_dropped_not_refused(tmp_path: Path) -> None:
    """Phones append a video after the JPEG's end: re-encoding drops it; nothing is refused."""
    data = files.photo_with_gps((400, 300)) + b"\x00\x00\x00\x18ftypmp42" + bytes(2000)
    result = check(tmp_path, data)
    assert result.data is not None and b"ftypmp42" not in result.data


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    small = content.ImageLimits(max_pixels=100 * 100, max_side=2048, thumbnail_side=320)
    with pytest.raises(content.Refused, match="at most 10,000 pixels"):
        check(tmp_path, files.png((101, 100)), small)
    assert check(tmp_path, files.png((100, 100)), small).width == 100


def test_a_pdf_is_kept_as_it_came(tmp_path: Path) -> None:
    result = check(tmp_path, files.pdf())
    assert (result.kind, result.format, result.data) == ("document", "pdf", None)
