#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpus of tests/fuzz/xlate_fuzz.c: real packets of
every kind the module parses, each prefixed with the choice byte (bit 0:
leaving, bit 1: rewrite the destination, bit 2: CHECKSUM_PARTIAL).

  seeds.py DIR
"""
import os
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip(src, dst, proto, payload, opts=b"", frag=0):
    ihl = 5 + len(opts) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload),
                      1, frag, 64, proto, 0, socket.inet_aton(src),
                      socket.inet_aton(dst)) + opts
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def pseudo(src, dst, proto, seg):
    return socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, proto, len(seg))


def udp(src, sport, dst, dport, data=b"hello", check=True):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    if check:
        c = csum(pseudo(src, dst, 17, seg) + seg) or 0xffff
        seg = seg[:6] + struct.pack("!H", c) + seg[8:]
    return ip(src, dst, 17, seg)


def tcp(src, sport, dst, dport, flags=0x02, data=b""):
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags,
                      65535, 0, 0) + data
    c = csum(pseudo(src, dst, 6, seg) + seg)
    seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    return ip(src, dst, 6, seg)


def icmp(src, dst, itype, code, rest, body):
    msg = struct.pack("!BBH", itype, code, 0) + rest + body
    msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
    return ip(src, dst, 1, msg)


def echo(src, dst, itype, ident):
    return icmp(src, dst, itype, 0, struct.pack("!HH", ident, 1), b"ping")


LAN, EXT, REMOTE, HOP = "10.0.1.2", "203.0.113.1", "198.51.100.10", "192.0.2.9"
SEEDS = {
    "udp_out": (1, udp(LAN, 4000, REMOTE, 3478)),
    "udp_in": (2, udp(REMOTE, 3478, EXT, 20001)),
    "udp_no_checksum": (1, udp(LAN, 4000, REMOTE, 3478, check=False)),
    "udp_empty": (1, udp(LAN, 4000, REMOTE, 3478, data=b"")),
    "udp_partial": (5, udp(LAN, 4000, REMOTE, 3478)),
    "tcp_syn_out": (1, tcp(LAN, 4001, REMOTE, 80)),
    "tcp_data_in": (2, tcp(REMOTE, 80, EXT, 20002, 0x18, b"x" * 100)),
    "tcp_partial": (5, tcp(LAN, 4001, REMOTE, 80, 0x10)),
    "echo_out": (1, echo(LAN, REMOTE, 8, 7)),
    "echo_reply_in": (2, echo(REMOTE, EXT, 0, 20003)),
    "error_in_udp_whole": (0, icmp(HOP, EXT, 3, 3, b"\0" * 4,
                                   udp(EXT, 20001, REMOTE, 3478))),
    "error_in_tcp_8": (0, icmp(HOP, EXT, 11, 0, b"\0" * 4,
                               tcp(EXT, 20002, REMOTE, 80)[:28])),
    "error_in_echo": (0, icmp(HOP, EXT, 11, 0, b"\0" * 4,
                              echo(EXT, REMOTE, 8, 20003))),
    "error_in_frag_needed": (0, icmp(HOP, EXT, 3, 4, struct.pack("!HH", 0, 1280),
                                     tcp(EXT, 20002, REMOTE, 80, 0x10,
                                         b"y" * 200))),
    "error_out_udp": (1, icmp(LAN, REMOTE, 3, 3, b"\0" * 4,
                              udp(REMOTE, 3478, LAN, 4000))),
    "error_quoting_error": (0, icmp(HOP, EXT, 3, 1, b"\0" * 4,
                                    icmp(EXT, REMOTE, 3, 3, b"\0" * 4,
                                         udp(REMOTE, 1, EXT, 2)))),
    "error_quoting_fragment": (0, icmp(HOP, EXT, 3, 3, b"\0" * 4,
                                       ip(EXT, REMOTE, 17, b"\0" * 8,
                                          frag=100))),
    "ip_options_udp": (1, ip(LAN, REMOTE, 17, udp(LAN, 4000, REMOTE, 3478)[20:],
                             opts=b"\1\1\1\0")),
    "fragment_first": (1, ip(LAN, REMOTE, 17, b"\0" * 16, frag=0x2000)),
    "truncated_tcp": (1, ip(LAN, REMOTE, 6, b"\0" * 10)),
    "truncated_icmp_error": (0, icmp(HOP, EXT, 3, 3, b"\0" * 4,
                                     udp(EXT, 20001, REMOTE, 3478)[:24])),
}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    os.makedirs(argv[1], exist_ok=True)
    for name, (choice, pkt) in SEEDS.items():
        with open(os.path.join(argv[1], name), "wb") as f:
            f.write(bytes([choice]) + pkt)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
