"""Receive callbacks on http://127.0.0.1:9000 and print each result."""

import json
from http.server import BaseHTTPRequestHandler, HTTPServer


class Receiver(BaseHTTPRequestHandler):
    """Print the JSON body of every POST, and answer 204."""

    def do_POST(self) -> None:
        """Print one callback."""
        body = self.rfile.read(int(self.headers["Content-Length"]))
        print("received", json.loads(body), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the terminal for the results."""


HTTPServer(("127.0.0.1", 9000), Receiver).serve_forever()
