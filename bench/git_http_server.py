#!/usr/bin/env python3
# A loopback web server that runs `git http-backend` as a CGI for the sync benchmarks, so
# plain git's smart HTTP transport can be timed beside knot's. Not a server for anything else.
#
# usage: git_http_server.py <project-root>
# Serves every repository under <project-root> at http://127.0.0.1:<port>/<name>.git, on a free
# port it prints as one line once it listens. Request bodies may be chunked (git sends large
# pushes that way); the CGI's answer is streamed back, and the connection closed after each.
import http.server
import os
import shutil
import subprocess
import sys
import tempfile


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass  # the benchmark prints figures only

    def do_GET(self):
        self.run_backend()

    def do_POST(self):
        self.run_backend()

    # Copies exactly `left` bytes of the request body to `spool`.
    def copy_body(self, spool, left):
        while left:
            data = self.rfile.read(min(left, 1 << 20))
            if not data:
                raise ConnectionError("the request body ended early")
            spool.write(data)
            left -= len(data)

    # The request body, spooled to a file: read by Content-Length or de-chunked.
    def body(self):
        spool = tempfile.TemporaryFile()
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                self.copy_body(spool, size)
                self.rfile.readline()
        else:
            self.copy_body(spool, int(self.headers.get("Content-Length", "0") or 0))
        length = spool.tell()
        spool.seek(0)
        return spool, length

    def run_backend(self):
        path, _, query = self.path.partition("?")
        spool, length = self.body()
        env = dict(os.environ)
        env.update(
            GIT_PROJECT_ROOT=self.server.project_root,
            GIT_HTTP_EXPORT_ALL="1",
            GATEWAY_INTERFACE="CGI/1.1",
            SERVER_PROTOCOL="HTTP/1.1",
            SERVER_NAME="127.0.0.1",
            REQUEST_METHOD=self.command,
            PATH_INFO=path,
            QUERY_STRING=query,
            REMOTE_ADDR="127.0.0.1",
            CONTENT_LENGTH=str(length),
            CONTENT_TYPE=self.headers.get("Content-Type", ""),
        )
        for name in ("Content-Encoding", "Git-Protocol"):
            if self.headers.get(name):
                env["HTTP_" + name.upper().replace("-", "_")] = self.headers[name]
        with spool:
            backend = subprocess.Popen(
                ["git", "http-backend"], stdin=spool, stdout=subprocess.PIPE, env=env
            )
        status, headers = "200 OK", []
        while True:
            line = backend.stdout.readline().rstrip(b"\r\n").decode("latin-1")
            if not line:
                break
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = value.strip()
            else:
                headers.append((name, value.strip()))
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason or None)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        shutil.copyfileobj(backend.stdout, self.wfile, 1 << 20)
        backend.wait()


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.project_root = sys.argv[1]
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
