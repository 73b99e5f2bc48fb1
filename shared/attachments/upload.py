"""A multipart body read as it streams in, under limits, onto disk.

The limits are decided while the bytes arrive: a declared Content-Length above them is refused
before anything is read, and a body without one (chunked) is counted chunk by chunk and cut off
the moment a file passes its limit. File parts go to a temporary folder, never into memory;
only small form fields (the report's JSON) are held. Nothing here is kept after the request:
``Upload.close`` removes the folder, whatever happened.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from shared.problems import Problem

MIB = 1024 * 1024
OVERHEAD = 64 * 1024   # part headers and boundaries beyond the files' bytes


def _mib(n: int) -> str:
    return f"{n / MIB:g} MiB" if n >= MIB else f"{n // 1024} KiB"


@dataclass(frozen=True)
class UploadLimits:
    file_bytes: int                 # one file
    files: int                      # files this request may carry
    total_bytes: int                # all files of this request
    fields: tuple[str, ...] = ()    # form fields taken beside the files
    field_bytes: int = 64 * 1024
    file_field: str = "file"


@dataclass
class UploadedFile:
    path: Path
    size: int = 0
    sha256: str = ""


@dataclass
class Upload:
    fields: dict[str, str]
    files: list[UploadedFile]
    folder: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


@dataclass
class _Reader:
    limits: UploadLimits
    folder: tempfile.TemporaryDirectory[str]
    fields: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)
    total: int = 0
    problem: Problem | None = None
    _headers: dict[bytes, bytes] = field(default_factory=dict)
    _name: bytearray = field(default_factory=bytearray)
    _value: bytearray = field(default_factory=bytearray)
    _field: str | None = None
    _buffer: bytearray = field(default_factory=bytearray)
    _out: IO[bytes] | None = None
    _hash: Any = None

    def fail(self, problem: Problem) -> None:
        self.problem = problem
        raise problem

    def callbacks(self) -> dict[str, Any]:
        return {"on_part_begin": self._begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done, "on_part_data": self._data, "on_part_end": self._end}

    def _begin(self) -> None:
        self._headers, self._field, self._buffer = {}, None, bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[bytes(self._name).lower()] = bytes(self._value)
        self._name, self._value = bytearray(), bytearray()

    def _headers_done(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        lim = self.limits
        if name == lim.file_field:
            if len(self.files) >= lim.files:
                self.fail(Problem(422, "Too many files", f"at most {lim.files} more file(s) may be attached here",
                                  field=lim.file_field))
            path = Path(self.folder.name) / f"{len(self.files)}.upload"
            self.files.append(UploadedFile(path))
            self._out, self._hash = open(path, "wb"), hashlib.sha256()
        elif name in lim.fields:
            self._field = name
        else:
            self.fail(Problem(422, "Unexpected part", f"this form takes {', '.join([lim.file_field, *lim.fields])}",
                              field=name or "body"))

    def _data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        lim = self.limits
        if self._out is not None:
            current = self.files[-1]
            current.size += len(chunk)
            self.total += len(chunk)
            if current.size > lim.file_bytes:
                self.fail(Problem(413, "File too large", f"a file may have at most {_mib(lim.file_bytes)}",
                                  field=lim.file_field, max_bytes=lim.file_bytes))
            if self.total > lim.total_bytes:
                self.fail(Problem(413, "Files too large", f"all files together may have at most "
                                  f"{_mib(lim.total_bytes)}", field=lim.file_field, max_bytes=lim.total_bytes))
            self._out.write(chunk)
            self._hash.update(chunk)
        elif self._field is not None:
            self._buffer += chunk
            if len(self._buffer) > lim.field_bytes:
                self.fail(Problem(413, "Field too large", f"at most {_mib(lim.field_bytes)}", field=self._field))

    def _end(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
            current = self.files[-1]
            current.sha256 = self._hash.hexdigest()
            if current.size == 0:
                self.fail(Problem(422, "Empty file", "the file is empty; choose the file again", field=self.limits.file_field))
        elif self._field is not None:
            try:
                self.fields[self._field] = self._buffer.decode("utf-8")
            except UnicodeDecodeError:
                self.fail(Problem(422, "Invalid field", "not UTF-8 text", field=self._field))
            self._field = None

    def close_open_file(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


async def receive(request: Request, limits: UploadLimits) -> Upload:
    """Read the request's multipart body; raises ``Problem`` (413 naming the field past its limit,
    415 for another media type, 422 for a malformed body). The caller closes the ``Upload``."""
    media, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if media != b"multipart/form-data" or not boundary:
        raise Problem(415, "Unsupported media type", "send multipart/form-data with the file(s) in "
                      f"'{limits.file_field}'", field="Content-Type")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.total_bytes + OVERHEAD:
        raise Problem(413, "Files too large", f"all files together may have at most {_mib(limits.total_bytes)}",
                      field=limits.file_field, max_bytes=limits.total_bytes)
    folder = tempfile.TemporaryDirectory(prefix="lapor-upload-")
    reader = _Reader(limits, folder)
    parser = MultipartParser(boundary, reader.callbacks(), max_size=limits.total_bytes + OVERHEAD)
    done = False
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if reader._out is not None or reader._field is not None:
            raise Problem(422, "Malformed body", "the multipart body ended inside a part", field="body")
        done = True
    except (Problem, ClientDisconnect):
        raise
    except Exception as exc:   # the parser's own complaint: a broken body
        raise Problem(422, "Malformed body", "the multipart body could not be read; send the form again",
                      field="body") from exc
    finally:
        if not done:
            reader.close_open_file()
            folder.cleanup()
    return Upload(reader.fields, reader.files, folder)
