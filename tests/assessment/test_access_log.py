"""The production server's access log never records a ballot code or a voter's address."""

from types import SimpleNamespace

from gunicorn.config import Config

from duban.lib.access_log import Logger


def atoms_for(path):
    logger = Logger(Config())
    environ = {
        "PATH_INFO": path,
        "RAW_URI": path,
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "",
        "REMOTE_ADDR": "10.1.2.3",
        "HTTP_REFERER": path,
    }
    req = SimpleNamespace(
        method="GET", path=path, query="", uri=path, version=(1, 1), headers=[("REFERER", path)], peer_addr="10.1.2.3"
    )
    resp = SimpleNamespace(status="200 OK", response_length=10, sent=10, headers=[])
    return logger.atoms(resp, req, environ, SimpleNamespace(seconds=0, microseconds=1000))


def test_ballot_paths_are_masked():
    atoms = atoms_for("/v/ABCDEFGHJKMNPQRS/")
    text = " ".join(str(v) for v in atoms.values())
    assert "ABCDEFGHJKMNPQRS" not in text
    assert "10.1.2.3" not in text
    assert atoms["r"] == "GET /v/… HTTP/1.1"


def test_other_paths_are_logged_as_usual():
    atoms = atoms_for("/supervision/plans/")
    assert atoms["U"] == "/supervision/plans/"
    assert atoms["h"] == "10.1.2.3"
