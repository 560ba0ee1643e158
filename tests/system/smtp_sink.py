"""A small SMTP server for tests: it accepts AUTH PLAIN and keeps what it receives,
so a test can see the decrypted password reach the server and the mail arrive."""

import base64
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self._say("220 sink ESMTP")
        body, in_data = [], False
        for raw in self.rfile:
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if in_data:
                if text == ".":
                    in_data = False
                    self.server.messages.append("\n".join(body))
                    body = []
                    self._say("250 queued")
                else:
                    body.append(text)
                continue
            command = text.upper()
            if command.startswith("EHLO"):
                self._say("250-sink")
                self._say("250 AUTH PLAIN")
            elif command.startswith("AUTH PLAIN"):
                _, user, password = base64.b64decode(text.split()[2]).decode().split("\0")
                self.server.logins.append((user, password))
                self._say("235 accepted")
            elif command == "DATA":
                in_data = True
                self._say("354 go on")
            elif command == "QUIT":
                self._say("221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self._say("250 ok")


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.logins: list[tuple[str, str]] = []
        self.messages: list[str] = []
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self):
        self.shutdown()
        self.server_close()
