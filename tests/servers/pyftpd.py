# pyftpdlib 1.5.7 for Skiff's tests; filled in by tests/support/servers.rs and
# run with Debian's /usr/bin/python3 (python3-pyftpdlib, python3-openssl).
# @ROOT@ is the instance's temp root, @TMP@ its private state directory,
# @TLS@ one of off, allowed, required (explicit FTPS; see servers.rs `Tls`).
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

ROOT = r"@ROOT@"
TMP = r"@TMP@"
PORT = int("@PORT@")
PASV_MIN = int("@PASV_MIN@")
PASV_MAX = int("@PASV_MAX@")
TLS = "@TLS@"
assert TLS in ("off", "allowed", "required"), TLS


class NoInternalDebug(logging.Filter):
    """Keep the protocol lines ("<- CMD", "-> reply") and pyftpdlib's info
    lines; drop its "[debug] call: ..." tracing of internal calls."""

    def filter(self, record):
        return not str(record.msg).startswith("[debug]")


log = logging.getLogger("pyftpdlib")
log.setLevel(logging.DEBUG)
log.propagate = False
handler_ = logging.FileHandler(TMP + "/pyftpd.log")
handler_.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
handler_.addFilter(NoInternalDebug())
log.addHandler(handler_)
errors = logging.StreamHandler(sys.stderr)
errors.setLevel(logging.WARNING)
log.addHandler(errors)

authorizer = DummyAuthorizer()
# every permission: e l r a d f m w M T (list, read, append, delete, rename,
# mkdir, store, chmod, mtime)
authorizer.add_user("skifftest", "skifftest", ROOT, perm="elradfmwMT")

if TLS != "off":
    from pyftpdlib.handlers import TLS_DTPHandler, TLS_FTPHandler

    class DataHandler(TLS_DTPHandler):
        # pyftpdlib 1.5.7 closes a protected data connection that becomes
        # readable before RETR/STOR/LIST arrived, i.e. when the client starts
        # the TLS handshake right after connecting (as curl does); 1.5.8 fixed
        # it upstream. Apply the same fix: stay readable while the handshake
        # is pending. Set this to False to test against the unfixed 1.5.7.
        FIX_EARLY_HANDSHAKE = True

        def readable(self):
            if self.FIX_EARLY_HANDSHAKE and self._ssl_accepting:
                return True
            return super().readable()

    class Handler(TLS_FTPHandler):
        pass

    Handler.dtp_handler = DataHandler
    Handler.certfile = TMP + "/cert.pem"
    Handler.keyfile = TMP + "/key.pem"
    # required: USER before AUTH TLS gets "550 SSL/TLS required on the control
    # channel."; PASV/EPSV/PORT/EPRT without PROT P get "550 SSL/TLS required
    # on the data channel.".
    Handler.tls_control_required = TLS == "required"
    Handler.tls_data_required = TLS == "required"
else:

    class Handler(FTPHandler):
        pass


Handler.authorizer = authorizer
Handler.passive_ports = range(PASV_MIN, PASV_MAX + 1)
Handler.masquerade_address = None
Handler.permit_foreign_addresses = False
Handler.permit_privileged_ports = False
Handler.banner = "pyftpdlib ready (Skiff test server)."
# no per-IP limit, generous total
FTPServer.max_cons = 0
FTPServer.max_cons_per_ip = 0

server = FTPServer(("127.0.0.1", PORT), Handler)
server.serve_forever(handle_exit=False)
