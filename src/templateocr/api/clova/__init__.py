"""CLOVA Template OCR wire format: request parsing and response mapping."""
