"""Writer: an offline desktop writing assistant."""

__version__ = "0.1.0"
APP_NAME = "Writer"
