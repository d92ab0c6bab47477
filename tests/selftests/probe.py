#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Probes for the selftests: ICMP errors, fragments and socket outcomes.

  probe.py send-error DST TYPE CODE PROTO QSRC:QPORT QDST:QPORT NBYTES
      Send an ICMP error to DST quoting a PROTO (udp, tcp) packet from
      QSRC:QPORT to QDST:QPORT, of which NBYTES of transport header.
  probe.py recv-error TYPE SECS
      Wait up to SECS for an ICMP error of TYPE and print
      "SRC > DST quote QSRC:QPORT > QDST:QPORT" and which checksums hold:
      "ip ok icmp ok quote-ip ok". Exit 1 when none comes.
  probe.py send-udp SRCPORT DST:PORT TTL
      Send one UDP datagram from SRCPORT with the given TTL.
  probe.py tcp-connect SRC:PORT DST:PORT SECS
  probe.py udp-ask SRC:PORT DST:PORT SECS
      Connect (or send one datagram and wait for an answer) and print the
      outcome: "connected" or "answer", "timeout", or the errno name.
  probe.py udp-echo ADDR:PORT
      Echo every datagram back to its sender, until killed.
  probe.py udp-big SRC:PORT DST:PORT SIZE SECS
      Send a SIZE-byte datagram of a known pattern, wait for it to come
      back, print "intact" or what went wrong.
  probe.py udp-recv-big ADDR:PORT SIZE SECS
      Wait for one such datagram; print "intact SRC:PORT" or "corrupt ...".
  probe.py send-frags SRC:PORT DST:PORT SIZE
      Send such a datagram as 1000-byte IPv4 fragments, last one first.
  probe.py echo DST ID SECS
      Send an echo request with identifier ID and wait for the reply:
      print "reply from SRC id ID", or "timeout" (exit 1).
  probe.py recv-echo SECS
      Wait for an echo request: print "request from SRC id ID", or
      "timeout" (exit 1). The kernel answers it as usual.

  recv-error and recv-echo print "ready" on stderr once they listen.
"""
import errno
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ep(text):
    addr, port = text.rsplit(":", 1)
    return addr, int(port)


def quoted_packet(proto, src, dst, nbytes):
    number = {"udp": 17, "tcp": 6}[proto]
    if proto == "udp":
        l4 = struct.pack("!HHHH", src[1], dst[1], 8 + 32, 0x1234) + bytes(32)
    else:
        l4 = struct.pack("!HHIIBBHHH", src[1], dst[1], 1, 0, 5 << 4, 0x02,
                         65535, 0x1234, 0) + bytes(32)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64,
                     number, 0, socket.inet_aton(src[0]),
                     socket.inet_aton(dst[0]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + l4[:nbytes]


def send_error(dst, icmp_type, code, proto, qsrc, qdst, nbytes):
    body = quoted_packet(proto, ep(qsrc), ep(qdst), int(nbytes))
    msg = struct.pack("!BBHI", int(icmp_type), int(code), 0, 0) + body
    msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
    icmp_socket().sendto(msg, (dst, 0))


def ready():
    sys.stderr.write("ready\n")
    sys.stderr.flush()


def icmp_socket():
    return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)


def icmp_wait(s, want, secs, minlen=8):
    """The first packet on raw socket s holding an ICMP message of type
    want and at least minlen bytes, or None after secs."""
    deadline = time.time() + float(secs)
    while time.time() < deadline:
        s.settimeout(max(deadline - time.time(), 0.01))
        try:
            pkt = s.recv(65535)
        except socket.timeout:
            break
        icmp = pkt[(pkt[0] & 15) * 4:]
        if len(icmp) >= minlen and icmp[0] == want:
            return pkt
    return None


def recv_error(icmp_type, secs):
    s = icmp_socket()
    ready()
    pkt = icmp_wait(s, int(icmp_type), secs, 8 + 20 + 4)
    if not pkt:
        return 1
    ihl = (pkt[0] & 15) * 4
    icmp = pkt[ihl:]
    inner = icmp[8:]
    iihl = (inner[0] & 15) * 4
    qsrc = socket.inet_ntoa(inner[12:16])
    qdst = socket.inet_ntoa(inner[16:20])
    sport, dport = struct.unpack("!HH", inner[iihl:iihl + 4])
    good = lambda ok: "ok" if ok else "BAD"
    print("%s > %s quote %s:%d > %s:%d ip %s icmp %s quote-ip %s" % (
        socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20]),
        qsrc, sport, qdst, dport, good(csum(pkt[:ihl]) == 0),
        good(csum(icmp) == 0), good(csum(inner[:iihl]) == 0)))
    return 0


def send_udp(sport, dst, ttl):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sport)))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, int(ttl))
    s.sendto(b"probe", ep(dst))


def errname(err):
    return errno.errorcode.get(err.errno, str(err.errno))


def bound_socket(kind, src):
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(ep(src))
    return s


def tcp_connect(src, dst, secs):
    s = bound_socket(socket.SOCK_STREAM, src)
    s.settimeout(float(secs))
    try:
        s.connect(ep(dst))
        print("connected")
    except socket.timeout:
        print("timeout")
    except OSError as err:
        print(errname(err))


def udp_ask(src, dst, secs):
    s = bound_socket(socket.SOCK_DGRAM, src)
    s.settimeout(float(secs))
    s.connect(ep(dst))
    try:
        s.send(b"ask")
        s.recv(65535)
        print("answer")
    except socket.timeout:
        print("timeout")
    except OSError as err:
        print(errname(err))


def udp_echo(addr):
    s = bound_socket(socket.SOCK_DGRAM, addr)
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)


def payload(size):
    return bytes((i * 7 + 3) & 255 for i in range(int(size)))


def udp_big(src, dst, size, secs):
    s = bound_socket(socket.SOCK_DGRAM, src)
    s.settimeout(float(secs))
    s.connect(ep(dst))
    s.send(payload(size))
    try:
        data = s.recv(65535)
    except socket.timeout:
        print("timeout")
        return 1
    print("intact" if data == payload(size) else "corrupt %d" % len(data))
    return 0


def udp_recv_big(addr, size, secs):
    s = bound_socket(socket.SOCK_DGRAM, addr)
    s.settimeout(float(secs))
    try:
        data, peer = s.recvfrom(65535)
    except socket.timeout:
        print("timeout")
        return 1
    print("%s %s" % ("intact" if data == payload(size) else "corrupt",
                     "%s:%d" % peer))
    return 0


def send_frags(src, dst, size):
    """A UDP datagram of SIZE bytes as IPv4 fragments, last one first."""
    (saddr, sport), (daddr, dport) = ep(src), ep(dst)
    data = payload(size)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(saddr),
                         socket.inet_aton(daddr), 0, 17, len(udp))
    check = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", check) + udp[8:]
    chunk, frags = 1000, []
    for off in range(0, len(udp), chunk):
        more = 0x2000 if off + chunk < len(udp) else 0
        part = udp[off:off + chunk]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(part), 0x4242,
                         more | (off // 8), 64, 17, 0,
                         socket.inet_aton(saddr), socket.inet_aton(daddr))
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        frags.append(ip + part)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for frag in reversed(frags):
        s.sendto(frag, (daddr, 0))


def echo_of(pkt):
    """The source and identifier of an echo message."""
    icmp = pkt[(pkt[0] & 15) * 4:]
    return socket.inet_ntoa(pkt[12:16]), struct.unpack("!H", icmp[4:6])[0]


def echo(dst, ident, secs):
    s = icmp_socket()
    msg = struct.pack("!BBHHH", 8, 0, 0, int(ident), 1) + b"conenat"
    msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
    s.sendto(msg, (dst, 0))
    pkt = icmp_wait(s, 0, secs)
    print("reply from %s id %d" % echo_of(pkt) if pkt else "timeout")
    return 0 if pkt else 1


def recv_echo(secs):
    s = icmp_socket()
    ready()
    pkt = icmp_wait(s, 8, secs)
    print("request from %s id %d" % echo_of(pkt) if pkt else "timeout")
    sys.stdout.flush()
    return 0 if pkt else 1


def main(argv):
    cmds = {"send-error": send_error, "recv-error": recv_error,
            "send-udp": send_udp, "tcp-connect": tcp_connect,
            "udp-ask": udp_ask, "udp-echo": udp_echo, "udp-big": udp_big,
            "udp-recv-big": udp_recv_big, "send-frags": send_frags,
            "echo": echo, "recv-echo": recv_echo}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    return cmds[argv[1]](*argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
