#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ICMP error probes for the selftests, with raw sockets only.

  icmp_probe.py send-error DST TYPE CODE PROTO QSRC:QPORT QDST:QPORT NBYTES
      Send an ICMP error to DST quoting a PROTO (udp, tcp) packet from
      QSRC:QPORT to QDST:QPORT, of which NBYTES of transport header.
  icmp_probe.py recv-error TYPE SECS
      Wait up to SECS for an ICMP error of TYPE and print
      "SRC > DST quote QSRC:QPORT > QDST:QPORT" and which checksums hold:
      "ip ok icmp ok quote-ip ok". Exit 1 when none comes.
  icmp_probe.py send-udp SRCPORT DST:PORT TTL
      Send one UDP datagram from SRCPORT with the given TTL.
"""
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
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.sendto(msg, (dst, 0))


def recv_error(icmp_type, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    deadline = time.time() + float(secs)
    while time.time() < deadline:
        s.settimeout(max(deadline - time.time(), 0.01))
        try:
            pkt = s.recv(65535)
        except socket.timeout:
            break
        ihl = (pkt[0] & 15) * 4
        icmp = pkt[ihl:]
        if icmp[0] != int(icmp_type) or len(icmp) < 8 + 20 + 4:
            continue
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
    return 1


def send_udp(sport, dst, ttl):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sport)))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, int(ttl))
    s.sendto(b"probe", ep(dst))


def main(argv):
    cmds = {"send-error": send_error, "recv-error": recv_error,
            "send-udp": send_udp}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    return cmds[argv[1]](*argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
