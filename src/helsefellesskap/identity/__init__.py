"""Norwegian identifiers: national identity numbers (incl. D- and synthetic numbers), HPR, orgnr, kommunenummer.

One place validates them all, over python-stdnum where it has the thing; every failure is ``InvalidIdentifier``
(422 problem+json at the API, exit 2 at the CLI)."""
