"""The one error tree of templateocr.

Every error the product raises on purpose is a :class:`TemplateOcrError`. Each class carries
what its front ends need: ``code`` (CLOVA's error code, for the inference API), ``http_status``
and ``exit_code`` (for the CLI). Front ends map errors exactly once: ``api/errors.py`` for HTTP,
``cli.py`` for the command line. Domain code never builds HTTP responses itself.

::

    TemplateOcrError                    0500 / 500   unknown service error (a bug)
    ├── ClovaError                      errors of the CLOVA-compatible inference API
    │   ├── InvalidUrlError             0001 / 400   unknown domain or invoke key; unusable url
    │   ├── SecretError                 0002 / 401   missing or wrong X-OCR-SECRET
    │   ├── InvalidRequestError         0011 / 400   malformed body, bad image, bad format
    │   │   ├── UnsupportedFormatError               format unknown or not what the bytes are
    │   │   ├── ImageTooLargeError                   bytes, pixels or pages over the limits
    │   │   └── UndecodableImageError                the bytes are not a readable image/PDF
    │   ├── ProtocolVersionError        0021 / 400   version is not V1 or V2
    │   ├── RateLimitedError            0025 / 400   the domain's concurrency cap is full
    │   └── TemplateNotReleasedError    1021 / 500   templateIds names an unreleased template
    ├── ManagementError                 errors of the management API (JSON ``detail``)
    │   ├── NotFoundError               404          no such template or domain
    │   ├── TemplateDefinitionError     422          bad area, duplicate field name, bad sample
    │   ├── AuthenticationError         401          missing or wrong admin token
    │   ├── ConflictError               409          the change clashes with stored state
    │   ├── BodyTooLargeError           413          the body is over the size limit
    │   └── UnsupportedMediaTypeError   415          neither JSON nor a form
    ├── ConfigurationError              exit 2       bad settings or missing system packages
    └── PageProcessingError             (per page)   one page failed; the response says ERROR
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "BodyTooLargeError",
    "ClovaError",
    "ConfigurationError",
    "ConflictError",
    "ImageTooLargeError",
    "InvalidRequestError",
    "InvalidUrlError",
    "ManagementError",
    "NotFoundError",
    "PageProcessingError",
    "ProtocolVersionError",
    "RateLimitedError",
    "SecretError",
    "TemplateDefinitionError",
    "TemplateNotReleasedError",
    "TemplateOcrError",
    "UndecodableImageError",
    "UnsupportedFormatError",
    "UnsupportedMediaTypeError",
]


class TemplateOcrError(Exception):
    """Root of every error templateocr raises on purpose.

    ``message`` is the fixed text; ``detail`` (optional) says what exactly was wrong and is
    appended after it, as CLOVA does (``Request body invalid. images[0].format: ...``).
    """

    code: str = "0500"
    http_status: int = 500
    exit_code: int = 1
    message: str = "Unknown service error."

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail
        super().__init__(self.full_message)

    @property
    def full_message(self) -> str:
        """The fixed message followed by the detail, if any."""
        if self.detail:
            return f"{self.message} {self.detail}"
        return self.message


class ClovaError(TemplateOcrError):
    """An error of the inference API, answered with CLOVA's error body."""


class InvalidUrlError(ClovaError):
    """The invoke URL names no domain or a wrong key, or an image ``url`` is unusable."""

    code = "0001"
    http_status = 400
    exit_code = 2
    message = "URL is invalid."


class SecretError(ClovaError):
    """``X-OCR-SECRET`` is missing or does not match the domain's secret."""

    code = "0002"
    http_status = 401
    message = "Secret key validate failed."


class InvalidRequestError(ClovaError):
    """The request body is malformed or its image cannot be used."""

    code = "0011"
    http_status = 400
    exit_code = 2
    message = "Request body invalid."


class UnsupportedFormatError(InvalidRequestError):
    """The declared format is unknown, or the bytes are of another format."""


class ImageTooLargeError(InvalidRequestError):
    """The image is over the byte, pixel or page limits."""


class UndecodableImageError(InvalidRequestError):
    """The bytes cannot be decoded as the declared image or PDF."""


class ProtocolVersionError(ClovaError):
    """``version`` is neither ``V1`` nor ``V2``."""

    code = "0021"
    http_status = 400
    message = "Protocol version not support."


class RateLimitedError(ClovaError):
    """The domain already has as many requests in flight as it may."""

    code = "0025"
    http_status = 400
    message = "Calls to this api have exceeded the rate limit."


class TemplateNotReleasedError(ClovaError):
    """``templateIds`` names a template that is not released to the domain."""

    code = "1021"
    http_status = 500
    message = "Not found deploy infomation.Please confirm the template is released"


class ManagementError(TemplateOcrError):
    """An error of the management API, answered with a JSON ``detail``."""

    http_status = 400
    message = "Bad request."


class NotFoundError(ManagementError):
    """No template or domain has that id."""

    http_status = 404
    exit_code = 3
    message = "Not found."


class TemplateDefinitionError(ManagementError):
    """A template definition is refused; nothing was stored."""

    http_status = 422
    exit_code = 2
    message = "Invalid template definition."


class AuthenticationError(ManagementError):
    """The admin bearer token is missing or wrong."""

    http_status = 401
    exit_code = 2
    message = "Missing or invalid admin token."


class ConflictError(ManagementError):
    """The change clashes with what is stored."""

    http_status = 409
    message = "Conflict."


class BodyTooLargeError(ManagementError):
    """The request body is over the management API's size limit."""

    http_status = 413
    message = "Request body too large."


class UnsupportedMediaTypeError(ManagementError):
    """The body is neither JSON nor ``multipart/form-data``."""

    http_status = 415
    message = "Unsupported media type."


class ConfigurationError(TemplateOcrError):
    """The settings are invalid or a system package the engines need is missing."""

    exit_code = 2
    message = "Configuration error."


class PageProcessingError(TemplateOcrError):
    """One page could not be processed; the response marks that page ``ERROR``."""

    message = "Page could not be processed."
