#!/usr/bin/env python3
"""A stand-in for a kubelet's HTTPS port, for the master double's proxy tests.

usage: kubelet-stub.py CERT KEY CLIENT_CA

Listens on 127.0.0.1 on an ephemeral port (printed as `port N` on stdout), requires a client
certificate signed by CLIENT_CA, and answers:
  GET /containerLogs/...   chunked text: `path <path and query>`, `client <CN>`, then with
                           follow=true one line `tick N` every 100 ms (up to 600), else `done`
  any upgrade request      101 Switching Protocols (X-Stream-Protocol-Version v4.channel.k8s.io),
                           then echoes every byte until the peer closes; the first line it
                           writes is `path <path and query>` so tests see what arrived
  GET /missing             404 with a text body
  anything else            JSON {"path", "method", "client", "body"}
"""
import json
import socket
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def client_cn(self):
        cert = self.connection.getpeercert() or {}
        for rdn in cert.get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return value
        return ""

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def handle_any(self):
        if "upgrade" in self.headers.get("Connection", "").lower():
            return self.upgrade()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if self.path.startswith("/containerLogs/"):
            return self.logs()
        if self.path.startswith("/missing"):
            text = b"404 page not found\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
            return
        answer = json.dumps({"path": self.path, "method": self.command, "client": self.client_cn(), "body": body}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = handle_any
    do_POST = handle_any
    do_PUT = handle_any

    def logs(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.chunk(("path %s\n" % self.path).encode())
        self.chunk(("client %s\n" % self.client_cn()).encode())
        if "follow=true" in self.path:
            try:
                for n in range(600):
                    time.sleep(0.1)
                    self.chunk(b"tick %d\n" % n)
            except OSError:
                return
        else:
            self.chunk(b"done\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def upgrade(self):
        self.send_response(101)
        self.send_header("Connection", "Upgrade")
        self.send_header("Upgrade", self.headers.get("Upgrade", ""))
        self.send_header("X-Stream-Protocol-Version", "v4.channel.k8s.io")
        self.end_headers()
        self.wfile.write(("path %s\n" % self.path).encode())
        self.wfile.flush()
        sock = self.connection
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                sock.sendall(data)
        except OSError:
            pass
        self.close_connection = True


def main():
    cert, key, ca = sys.argv[1:4]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.load_verify_locations(ca)
    context.verify_mode = ssl.CERT_REQUIRED
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("port %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
