"""supportkit: multilingual help-desk toolkit for a self-custody crypto wallet."""

__version__ = "0.1.0"
