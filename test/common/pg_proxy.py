#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 in front of a PostgreSQL server that breaks one
connection at one COMMIT, for the tests of a connection lost during a COMMIT.

  pg_proxy.py PORT_FILE SERVER_PORT MODE N

It writes the port it listens on to PORT_FILE, then passes bytes both ways.
At the COMMIT of the Nth transaction that inserts logs (counted over all
connections) it breaks that connection, client and server side:
  after:  the COMMIT reaches the server, its reply never reaches the client
          (the transaction is stored; the client cannot know);
  before: the COMMIT never reaches the server (nothing of it is stored);
  away:   as after, and then the server seems gone: new connections are
          closed at once, until the file PORT_FILE.back exists;
  silent: the COMMIT never reaches the server, and the server's side of the
          connection stays open (half-open TCP: the server never hears of it).
It says on stderr when it broke one. It expects no TLS (sslmode=disable).
"""
import os
import socket
import sys
import threading
import time

COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"  # a simple-protocol query message: COMMIT
LOGS = b"INSERT INTO logs"


def main():
    port_file, server_port, mode, nth = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    assert mode in ("after", "before", "away", "silent"), mode
    half_open = []  # the server sides kept open by `silent`
    seen = [0]
    away = threading.Event()
    lock = threading.Lock()

    def close(*socks):
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def serve(client):
        try:
            server = socket.create_connection(("127.0.0.1", server_port))
        except OSError:
            client.close()
            return
        muted = threading.Event()  # the server's bytes are no longer passed on

        def down():
            try:
                while data := server.recv(65536):
                    if not muted.is_set():
                        client.sendall(data)
            except OSError:
                pass
            close(client, server)

        threading.Thread(target=down, daemon=True).start()
        inserting, tail = False, b""
        try:
            while data := client.recv(65536):
                window = tail + data
                tail = window[-(len(COMMIT) - 1):]
                inserting = inserting or LOGS in window
                if COMMIT in window and inserting:
                    inserting = False
                    with lock:
                        seen[0] += 1
                        now = seen[0] == nth
                    if now:
                        muted.set()
                        if mode in ("after", "away"):
                            server.sendall(data)
                            time.sleep(0.5)  # the server commits and answers, to no one
                        print(f"pg_proxy: broke the connection at the COMMIT of log transaction {nth} ({mode})",
                              file=sys.stderr, flush=True)
                        if mode == "away":
                            away.set()
                        if mode == "silent":
                            half_open.append(server)
                            close(client)
                            return
                        break
                server.sendall(data)
        except OSError:
            pass
        close(client, server)

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    while True:
        client, _ = listener.accept()
        if away.is_set() and not os.path.exists(port_file + ".back"):
            client.close()
            continue
        threading.Thread(target=serve, args=(client,), daemon=True).start()


if __name__ == "__main__":
    main()
