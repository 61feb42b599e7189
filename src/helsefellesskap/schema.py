"""The whole schema: importing each capability's store registers its tables on one metadata."""

from __future__ import annotations

from helsefellesskap.access import store as access_store  # noqa: F401
from helsefellesskap.db import Base
from helsefellesskap.indicators import store as indicators_store  # noqa: F401
from helsefellesskap.registry import store as registry_store  # noqa: F401
from helsefellesskap.transitions import store as transitions_store  # noqa: F401

metadata = Base.metadata
