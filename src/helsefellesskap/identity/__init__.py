"""Norwegian identifiers: national identity numbers (incl. D- and synthetic numbers), HPR, orgnr, kommunenummer."""
