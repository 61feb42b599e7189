"""The register: the 19 helsefellesskap, health trusts, hospitals, municipalities, organisations and forums."""
