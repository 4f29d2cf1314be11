"""Serving the fake on 127.0.0.1: in-process for tests and benches, or `python -m` for demos."""

from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from tracking.carriers.usps.fake.app import FakeUsps


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class FakeUspsServer:
    """A threaded HTTP server answering as USPS: `with FakeUspsServer() as server: server.url`."""

    def __init__(self, fake: FakeUsps | None = None, *, host: str = "127.0.0.1", port: int = 0):
        self.fake = fake or FakeUsps()
        self.httpd = make_server(
            host, port, self.fake, threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://{host}:{self.httpd.server_port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FakeUspsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.fake.release.set()  # let hanging answers finish
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeUspsServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
