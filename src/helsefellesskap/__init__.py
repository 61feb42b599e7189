"""helsefellesskap: one platform for a Norwegian health community (helsefellesskap)."""

__version__ = "0.1.0"
