"""`python -m tracking.carriers.usps.fake [--port 8765]`: the fake USPS for a demo or a bench."""

import argparse
import time

from tracking.carriers.usps.fake.app import CLIENT_ID, CLIENT_SECRET
from tracking.carriers.usps.fake.server import FakeUspsServer

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8765)
options = parser.parse_args()
with FakeUspsServer(host=options.host, port=options.port) as server:
    print(f"fake USPS at {server.url}; client id {CLIENT_ID}, secret {CLIENT_SECRET}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
