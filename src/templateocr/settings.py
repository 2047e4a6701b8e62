"""Configuration, read from ``TEMPLATEOCR_*`` environment variables.

No instance is built at import time: ``create_app()`` and the CLI build one with
:func:`load_settings`, so tests can pass their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "load_settings"]

MAX_IMAGE_BYTES = 50 * 1024 * 1024


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("templateocr", appauthor=False))


class Settings(BaseSettings):
    """Every setting of the server, with its default."""

    model_config = SettingsConfigDict(env_prefix="TEMPLATEOCR_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    compute_processes: int = Field(default=0, ge=0, le=64)
    """Processes that read pages (0: one per core, at most 8; 1: in the server's threads)."""
    admin_token: str | None = None
    secret: str | None = None
    allow_private_urls: bool = False
    default_lang: str = "ko"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    max_image_bytes: int = Field(default=MAX_IMAGE_BYTES, ge=1)
    max_pixels: int = Field(default=60_000_000, ge=1)
    max_pages: int = Field(default=10, ge=1)
    url_timeout_s: float = Field(default=10.0, gt=0)
    validator_timeout_s: float = Field(default=5.0, gt=0)
    page_timeout_s: float = Field(default=60.0, gt=0)
    body_timeout_s: float = Field(default=120.0, gt=0)
    domain_concurrency: int = Field(default=8, ge=1)
    match_threshold: float = Field(default=0.6, ge=0, le=1)
    pdf_dpi: int = Field(default=150, ge=50, le=400)

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_level(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("default_lang")
    @classmethod
    def _known_lang(cls, value: str) -> str:
        if value not in {"ko", "ja", "zh-TW", "en"}:
            raise ValueError("default_lang must be one of ko, ja, zh-TW, en")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, SQLite in the data directory unless one is configured."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'templateocr.sqlite3'}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (CLI flags) on top."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
