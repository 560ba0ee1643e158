"""Gunicorn's access log without the voter's secrets: requests to the ballot pages (/v/...) are
logged without the path (which holds the ballot code), the query, the referrer or the address."""

from gunicorn.glogging import Logger as BaseLogger

BALLOT_PREFIX = "/v/"
MASK = "/v/…"


class Logger(BaseLogger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if environ.get("PATH_INFO", "").startswith(BALLOT_PREFIX):
            atoms["U"] = MASK
            atoms["q"] = ""
            atoms["r"] = f"{atoms.get('m', '-')} {MASK} {atoms.get('H', '-')}"
            atoms["f"] = "-"
            atoms["h"] = "-"
            atoms["a"] = "-"
            for key in list(atoms):
                if key.startswith("{") and key.endswith("}i") or key.endswith("}e"):
                    atoms[key] = "-"
        return atoms
