"""A small FTPS client for tests/support/check_servers.sh: explicit (AUTH TLS)
or implicit FTPS, passive or active, that prints every command and reply, the
TLS version of each connection and whether each data connection resumed the
control connection's TLS session. curl 7.88 hangs on active mode + TLS, and
cannot leave out session reuse or PROT P on purpose: this can.

  /usr/bin/python3 ftps_probe.py PORT CA_FILE [options] OP...

  OP: list | stor NAME LOCAL_FILE | retr NAME LOCAL_FILE | quote COMMAND
  --implicit            TLS from the first byte (else AUTH TLS after the banner)
  --mode M              EPSV (default), PASV, PORT or EPRT
  --no-reuse            data connections start fresh TLS sessions
  --tls12 / --tls13     cap at TLS 1.2 / require TLS 1.3
  --handshake H         when to start TLS on a data connection: "cmd" (default:
                        right after sending RETR/STOR/LIST, before its 150),
                        "reply" (after the 150), "early" (before sending the
                        command: deadlocks with servers that accept the data
                        connection only once the command arrived)
  --no-auth             no AUTH TLS (a plain login)
  --pre-login C1,C2     commands before AUTH; --after-auth: between AUTH and
                        USER; --post-login (default "PBSZ 0,PROT P"): after PASS
Data connections are secured when PROT P was sent (or --implicit with it) and
closed the careful way: TLS close_notify, shutdown of the writing side, read to
EOF. Exit status 0 when every step worked; otherwise the last line says why.
"""
import argparse
import select
import socket
import ssl
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("ca")
ap.add_argument("--implicit", action="store_true")
ap.add_argument("--mode", default="EPSV", choices=["EPSV", "PASV", "PORT", "EPRT"])
ap.add_argument("--no-reuse", action="store_true")
ap.add_argument("--tls12", action="store_true")
ap.add_argument("--tls13", action="store_true")
ap.add_argument("--handshake", default="cmd", choices=["cmd", "reply", "early"])
ap.add_argument("--no-auth", action="store_true")
ap.add_argument("--auth", default="AUTH TLS")
ap.add_argument("--pre-login", default="")
ap.add_argument("--after-auth", default="")
ap.add_argument("--post-login", default="PBSZ 0,PROT P")
ap.add_argument("--timeout", type=float, default=10)
ap.add_argument("ops", nargs="*")
a = ap.parse_intermixed_args()

ctx = ssl.create_default_context(cafile=a.ca)
if a.tls12:
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
if a.tls13:
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3


def log(*x):
    print(*x, flush=True)


def commands(text):
    return [c for c in text.split(",") if c]


ctl = socket.create_connection(("127.0.0.1", a.port), timeout=a.timeout)
if a.implicit:
    ctl = ctx.wrap_socket(ctl, server_hostname="127.0.0.1")
    log("** control TLS", ctl.version(), ctl.cipher()[0])
buf = b""


def reply():
    global buf
    lines = []
    while True:
        while b"\n" not in buf:
            d = ctl.recv(4096)
            if not d:
                raise SystemExit("control connection closed; got %r" % lines)
            buf += d
        line, buf = buf.split(b"\n", 1)
        line = line.decode("utf-8", "replace").rstrip("\r")
        lines.append(line)
        log("<", line)
        if len(line) >= 4 and line[3] == " " and line[:3] == lines[0][:3]:
            return int(line[:3]), "\n".join(lines)


def cmd(c, expect=None):
    log(">", "PASS ****" if c.startswith("PASS ") else c)
    ctl.sendall(c.encode() + b"\r\n")
    code, text = reply()
    if expect and str(code)[0] not in expect:
        raise SystemExit("unexpected reply to %s: %s" % (c, text))
    return code, text


if reply()[0] != 220:
    raise SystemExit("no 220 banner")
for c in commands(a.pre_login):
    cmd(c)
if not a.no_auth and not a.implicit:
    cmd(a.auth, "2")
    ctl = ctx.wrap_socket(ctl, server_hostname="127.0.0.1")
    log("** control TLS", ctl.version(), ctl.cipher()[0])
for c in commands(a.after_auth):
    cmd(c)
code, text = cmd("USER skifftest")
if code == 331:
    code, text = cmd("PASS skifftest")
if code != 230:
    raise SystemExit("login failed: " + text)
for c in commands(a.post_login):
    cmd(c)
cmd("TYPE I", "2")
protected = isinstance(ctl, ssl.SSLSocket) and "PROT P" in commands(a.after_auth + "," + a.post_login)


def secure(s):
    t = time.monotonic()
    session = None if a.no_reuse else ctl.session
    d = ctx.wrap_socket(s, server_hostname="127.0.0.1", session=session)
    log("** data TLS", d.version(), "resumed" if d.session_reused else "NEW SESSION",
        "(handshake %.0f ms)" % ((time.monotonic() - t) * 1000))
    return d


def transfer(command, send=None):
    """Runs one data command; the received bytes, or None when refused."""
    listener = s = None
    if a.mode == "EPSV":
        _, t = cmd("EPSV", "2")
        s = socket.create_connection(("127.0.0.1", int(t.split("|||")[1].split("|")[0])), timeout=a.timeout)
    elif a.mode == "PASV":
        _, t = cmd("PASV", "2")
        n = t[t.index("(") + 1 : t.index(")")].split(",")
        s = socket.create_connection(("127.0.0.1", int(n[4]) * 256 + int(n[5])), timeout=a.timeout)
    else:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(a.timeout)
        p = listener.getsockname()[1]
        if a.mode == "PORT":
            cmd("PORT 127,0,0,1,%d,%d" % (p >> 8, p & 255), "2")
        else:
            cmd("EPRT |1|127.0.0.1|%d|" % p, "2")
    if s is not None and protected and a.handshake == "early":
        s = secure(s)
    log(">", command)
    ctl.sendall(command.encode() + b"\r\n")
    code = None
    if listener is not None:
        # active: the server connects, or refuses the command without
        # connecting
        ready = [listener]
        if b"\n" not in buf and not (isinstance(ctl, ssl.SSLSocket) and ctl.pending()):
            ready, _, _ = select.select([listener, ctl], [], [], a.timeout)
        if listener not in ready:
            code, t = reply()
            if code >= 400:
                listener.close()
                return None
        s, _ = listener.accept()
        s.settimeout(a.timeout)
        listener.close()
    if protected and a.handshake == "cmd" and not isinstance(s, ssl.SSLSocket):
        s = secure(s)
    if code is None:
        code, t = reply()
    if code >= 400:
        s.close()
        return None
    if protected and not isinstance(s, ssl.SSLSocket):
        s = secure(s)
    got = b""
    if send is not None:
        s.sendall(send)
    else:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    if isinstance(s, ssl.SSLSocket):
        try:
            s = s.unwrap()
        except (ssl.SSLError, OSError) as e:
            log("** TLS shutdown:", e)
    try:
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
    except OSError:
        pass
    s.close()
    code, t = reply()
    if code >= 400:
        raise SystemExit("transfer failed: " + t)
    return got


ops = a.ops
i = 0
while i < len(ops):
    op = ops[i]
    if op == "list":
        out = transfer("LIST")
        if out is None:
            raise SystemExit("LIST refused")
        sys.stdout.write(out.decode("utf-8", "replace"))
        i += 1
    elif op == "stor":
        with open(ops[i + 2], "rb") as f:
            body = f.read()
        if transfer("STOR " + ops[i + 1], body) is None:
            raise SystemExit("STOR refused")
        i += 3
    elif op == "retr":
        got = transfer("RETR " + ops[i + 1])
        if got is None:
            raise SystemExit("RETR refused")
        with open(ops[i + 2], "wb") as f:
            f.write(got)
        i += 3
    elif op == "quote":
        cmd(ops[i + 1])
        i += 2
    else:
        raise SystemExit("unknown op " + op)
cmd("QUIT")
log("** done")
