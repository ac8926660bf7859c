"""mt: Ukrainian news into English, with names kept straight."""

__version__ = "0.1.0"
