"""mps: Market Position Statements and joint sufficiency plans for children in care."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mps")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
