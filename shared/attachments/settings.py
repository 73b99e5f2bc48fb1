"""Where attachments' bytes live and how much a report may carry."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr

from shared.settings import CommonSettings

MIB = 1024 * 1024
DEV_S3_KEYS = {"lapor-dev", "lapor-dev-secret", "", "change-me", "secret"}


class AttachmentSettings(CommonSettings):
    attachments_backend: Literal["local", "s3"] = Field("local", description="local (a folder) or s3 "
                                                        "(S3-compatible object storage)")
    attachments_dir: Path = Field(Path(".local/attachments"), description="the local backend's folder")
    s3_endpoint_url: str | None = Field(None, description="S3-compatible endpoint (SeaweedFS, MinIO, AWS); None: AWS")
    s3_bucket: str = Field("lapor-attachments", description="bucket of attachments' bytes (created when missing)")
    s3_region: str = Field("us-east-1", description="region the S3 requests are signed for")
    s3_access_key: SecretStr = Field(SecretStr("lapor-dev"), description="S3 access key (a development value only in development)")
    s3_secret_key: SecretStr = Field(SecretStr("lapor-dev-secret"), description="S3 secret key (a development value only in development)")
    attachment_max_bytes: int = Field(10 * MIB, ge=1024, description="bytes per file; larger gets 413")
    attachment_max_files: int = Field(5, ge=1, le=50, description="files per report (reporter's and agency's each)")
    attachment_total_bytes: int = Field(25 * MIB, ge=1024, description="bytes of all files of a report (each side)")
    image_max_pixels: int = Field(50_000_000, ge=10_000, description="width x height an image may declare; more is "
                                  "refused before decoding (decompression bombs)")
    image_max_side: int = Field(2048, ge=64, description="longest side of a stored image (larger ones are scaled)")
    thumbnail_side: int = Field(320, ge=32, description="longest side of a thumbnail")
    image_workers: int = Field(2, ge=1, description="images decoded at once (each holds its pixels in memory)")

    def development_values(self) -> list[tuple[str, bool]]:
        values = super().development_values()
        if self.attachments_backend == "s3":
            values += [("LAPOR_S3_ACCESS_KEY", self.s3_access_key.get_secret_value() in DEV_S3_KEYS),
                       ("LAPOR_S3_SECRET_KEY", self.s3_secret_key.get_secret_value() in DEV_S3_KEYS)]
        return values
