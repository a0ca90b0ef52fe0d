"""The one error the image engine raises: its message is meant for the user as it is."""

from __future__ import annotations


class ImageError(Exception):
    """Building, saving or reading an image failed; `str(err)` says what happened and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
