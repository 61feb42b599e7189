"""The synthetic twin: a synthetic population of Norway and its care transitions."""
