"""What the tests' HTTP fixtures share: serve on a free 127.0.0.1 port and
say which, atomically, in a file the test waits for."""
import os
from http.server import ThreadingHTTPServer


def serve(handler, port_file):
    """Serve handler on 127.0.0.1 (a free port, written to port_file)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()
