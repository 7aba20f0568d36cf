#!/usr/bin/python3
"""A loopback HTTP server that accepts Sentry envelopes, for tests.

Usage: envelope_sink.py PORT_FILE OUT_DIR [CERT_PEM KEY_PEM]
Binds 127.0.0.1 on a free port (serving HTTPS with CERT_PEM and KEY_PEM when
given), writes the port to PORT_FILE, and stores the
(decompressed) body of every POST to /api/<project>/envelope/ as
OUT_DIR/<n>.envelope, answering 200 {"id": ...}. Exits after 120 s.
"""
import gzip
import http.server
import json
import os
import ssl
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    count = 0
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if "/envelope/" not in self.path:
            self.send_response(404)
            self.end_headers()
            return
        with Handler.lock:  # Requests arrive on several connections at once.
            Handler.count += 1
            n = Handler.count
        with open(os.path.join(sys.argv[2], f"{n}.auth"), "w") as f:
            f.write(self.headers.get("X-Sentry-Auth", ""))
        with open(os.path.join(sys.argv[2], f"{n}.envelope.tmp"), "wb") as f:
            f.write(body)
        os.rename(os.path.join(sys.argv[2], f"{n}.envelope.tmp"),
                  os.path.join(sys.argv[2], f"{n}.envelope"))
        reply = json.dumps({"id": "0" * 32}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) == 5:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    server.socket = context.wrap_socket(server.socket, server_side=True)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
threading.Timer(120, server.shutdown).start()
server.serve_forever()
