#!/usr/bin/env python3
"""A stand-in for a station's feed (docs/http.md "The feed"), for `custody follow`'s fork test.

Serves the folder ROOT/current (a symlink the test re-points to switch histories) on 127.0.0.1 at a free port and
prints the port on its first line of output. The folder holds what the real manifest code produced:

  checkpoint                    the signed checkpoint note
  entries.json                  [{"body":…,"index":…,"leaf":…}, …] up to the checkpoint's size
  consistency-A-B.json          the feed's consistency proof from A to B
  inclusion-I-S.json            the feed's inclusion proof of I in S

Requests need `Authorization: Bearer <TOKEN>` (TOKEN is the second argument). JSON is written as the station writes it:
canonical (sorted keys, no whitespace, non-ASCII as itself).
"""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROOT = sys.argv[1]
TOKEN = sys.argv[2]


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Feed(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read(self, name):
        with open(os.path.join(ROOT, "current", name), "rb") as f:
            return f.read()

    def do_GET(self):
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.answer(401, canonical({"error": {"message": "no or wrong token"}}))
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        try:
            if url.path == "/v1/checkpoint":
                return self.answer(200, self.read("checkpoint"), "text/plain; charset=utf-8")
            if url.path == "/v1/entries":
                entries = json.loads(self.read("entries.json"))
                start, limit = int(query["start"]), int(query.get("limit", "100"))
                page = entries[start : start + limit]
                return self.answer(200, canonical({"entries": page, "size": len(entries)}))
            if url.path == "/v1/proof/consistency":
                return self.answer(200, self.read("consistency-%d-%d.json" % (int(query["from"]), int(query["to"]))))
            if url.path == "/v1/proof/inclusion":
                return self.answer(200, self.read("inclusion-%d-%d.json" % (int(query["index"]), int(query["size"]))))
        except (KeyError, ValueError, FileNotFoundError) as error:
            return self.answer(400, canonical({"error": {"message": "cannot answer: %s" % error}}))
        return self.answer(404, canonical({"error": {"message": "no such route"}}))


# A parent may start us with SIGTERM blocked or ignored; stopping must work.
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
signal.signal(signal.SIGTERM, signal.SIG_DFL)
server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
print(server.server_address[1], flush=True)
server.serve_forever()
