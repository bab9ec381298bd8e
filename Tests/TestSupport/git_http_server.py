"""git http-backend behind HTTP basic auth on 127.0.0.1, for tests (Python 3 standard library).

Request bodies (chunked ones de-chunked) and responses are streamed, never held whole. Options
simulate an interrupted push: --drop-receive-pack-after N cuts the connection (and the backend)
once N bytes of a git-receive-pack body were forwarded; --stall-receive-pack-after N stops
reading there and writes --stall-marker, so a test can kill the server mid-transfer.
"""

import argparse
import base64
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PIECE = 65536


def parse_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--home", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--drop-receive-pack-after", type=int)
    parser.add_argument("--stall-receive-pack-after", type=int)
    parser.add_argument("--stall-marker")
    return parser.parse_args()


ARGS = parse_arguments()
EXPECTED = "Basic " + base64.b64encode(f"{ARGS.user}:{ARGS.password}".encode()).decode()


class Dropped(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "casebook-test-git-http"
    # Bounds an idle keep-alive connection (and a client that stops sending).
    timeout = 60

    def log_message(self, format, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), format % args))
        sys.stderr.flush()

    def do_GET(self):
        self.serve()

    def do_POST(self):
        self.serve()

    def serve(self):
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        length = self.headers.get("Content-Length")
        length = None if chunked or length is None else int(length)
        if self.headers.get("Authorization", "") != EXPECTED:
            self.refuse(chunked, length)
            return
        path, _, query = self.path.partition("?")
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": ARGS.home,
            "GIT_CONFIG_NOSYSTEM": "1",
            # Repositories a test made, whoever owns the folder.
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "safe.directory",
            "GIT_CONFIG_VALUE_0": "*",
            "GIT_PROJECT_ROOT": ARGS.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_HTTP_MAX_REQUEST_BUFFER": "1000M",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(self.server.server_address[1]),
            "SCRIPT_NAME": "",
            "PATH_INFO": urllib.parse.unquote(path),
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "AUTH_TYPE": "Basic",
            "REMOTE_USER": ARGS.user,
            "REMOTE_ADDR": self.client_address[0],
        }
        if self.headers.get("Content-Type"):
            environment["CONTENT_TYPE"] = self.headers["Content-Type"]
        if length is not None:
            environment["CONTENT_LENGTH"] = str(length)
        skipped = {"AUTHORIZATION", "CONTENT_TYPE", "CONTENT_LENGTH", "TRANSFER_ENCODING"}
        for name, value in self.headers.items():
            name = name.upper().replace("-", "_")
            if name not in skipped:
                environment["HTTP_" + name] = value
        if "HTTP_GIT_PROTOCOL" in environment:
            environment["GIT_PROTOCOL"] = environment["HTTP_GIT_PROTOCOL"]

        backend = subprocess.Popen(
            [ARGS.backend], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment
        )
        receive_pack = path.endswith("/git-receive-pack")
        state = {"dropped": False}
        writer = threading.Thread(
            target=self.forward_body, args=(backend, chunked, length, receive_pack, state), daemon=True
        )
        writer.start()
        try:
            self.forward_response(backend, state)
        except (Dropped, OSError):
            self.close_connection = True
        finally:
            writer.join(timeout=120)
            if backend.poll() is None:
                backend.kill()
            backend.wait()
            backend.stdout.close()

    def refuse(self, chunked, length):
        # A body is read only when it is small and of known length; else the connection closes.
        if length is not None and length <= 1 << 20:
            self.rfile.read(length)
        else:
            self.close_connection = True
        body = b"authentication required\n"
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="casebook-test"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def body_pieces(self, chunked, length):
        """The request body in pieces of at most PIECE bytes, de-chunked."""
        if chunked:
            while True:
                line = self.rfile.readline(1024)
                if not line.endswith(b"\n"):
                    raise EOFError("truncated chunk size")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass  # trailers
                    return
                yield from self.exactly(size)
                self.rfile.readline(16)  # the CRLF after the chunk
        elif length:
            yield from self.exactly(length)

    def exactly(self, count):
        while count > 0:
            data = self.rfile.read(min(count, PIECE))
            if not data:
                raise EOFError("truncated body")
            count -= len(data)
            yield data

    def forward_body(self, backend, chunked, length, receive_pack, state):
        sent = 0
        try:
            for piece in self.body_pieces(chunked, length):
                drop = ARGS.drop_receive_pack_after if receive_pack else None
                stall = ARGS.stall_receive_pack_after if receive_pack else None
                limit = min(x for x in (drop, stall, sent + len(piece) + 1) if x is not None)
                if sent + len(piece) > limit:
                    backend.stdin.write(piece[: limit - sent])
                    backend.stdin.flush()
                    sent = limit
                    if limit == drop:
                        self.drop(backend, state)
                        return
                    self.stall()
                    return
                backend.stdin.write(piece)
                sent += len(piece)
            self.log_message("request body: %d bytes%s", sent, " (chunked)" if chunked else "")
        except (OSError, ValueError, EOFError) as error:
            self.log_message("request body: %s", error)
        finally:
            try:
                backend.stdin.close()
            except OSError:
                pass

    def drop(self, backend, state):
        self.log_message("dropping the connection after %d bytes of receive-pack", ARGS.drop_receive_pack_after)
        state["dropped"] = True
        backend.kill()
        # A reset, not an orderly close: the client sees the transfer fail.
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def stall(self):
        self.log_message("stalled after %d bytes of receive-pack", ARGS.stall_receive_pack_after)
        if ARGS.stall_marker:
            with open(ARGS.stall_marker, "w") as marker:
                marker.write("stalled\n")
        # Until the test kills the server, at most two minutes.
        threading.Event().wait(120)

    def forward_response(self, backend, state):
        status = "200 OK"
        headers = []
        while True:
            line = backend.stdout.readline()
            if not line:
                if state["dropped"]:
                    raise Dropped()
                self.send_error(502, "git http-backend ended without a response")
                return
            line = line.rstrip(b"\r\n").decode("latin-1")
            if not line:
                break
            name, _, value = line.partition(":")
            if name.strip().lower() == "status":
                status = value.strip()
            else:
                headers.append((name.strip(), value.strip()))
        if state["dropped"]:
            raise Dropped()
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason or None)
        sized = any(name.lower() == "content-length" for name, _ in headers)
        for name, value in headers:
            self.send_header(name, value)
        if not sized:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while True:
            data = backend.stdout.read1(PIECE)
            if not data:
                break
            if state["dropped"]:
                raise Dropped()
            self.wfile.write(data if sized else b"%x\r\n%s\r\n" % (len(data), data))
        if not sized:
            self.wfile.write(b"0\r\n\r\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    tls = None

    def finish_request(self, request, client_address):
        if self.tls is None:
            self.RequestHandlerClass(request, client_address, self)
            return
        # The handshake in the connection's own thread, so a stuck client holds up no other.
        request.settimeout(30)
        try:
            secured = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            sys.stderr.write("TLS handshake with %s failed: %s\n" % (client_address[0], error))
            return
        try:
            self.RequestHandlerClass(secured, client_address, self)
        finally:
            secured.close()


def main():
    server = Server(("127.0.0.1", 0), Handler)
    if ARGS.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(ARGS.cert, ARGS.key)
        server.tls = context
    temporary = ARGS.port_file + ".tmp"
    with open(temporary, "w") as file:
        file.write("%d\n" % server.server_address[1])
    os.rename(temporary, ARGS.port_file)
    server.serve_forever()


main()
