"""harvester: keeps press and member contacts up to date from mail, under GDPR."""

__all__ = ["__version__"]

__version__ = "0.1.0"
