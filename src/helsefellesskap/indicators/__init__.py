"""Indicators a helsefellesskap steers by: defined once, implemented once in Ibis."""
