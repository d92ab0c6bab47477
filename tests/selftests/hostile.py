#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile and malformed packets for hostile.sh, in nat.sh's topology.

Each command plays all the packets of one test in one run (scapy is slow
to import under emulation). It enters the namespaces itself (setns), so
LAN, RT and INET are the names of nat.sh's lan1, rt and inet namespaces.
Crafted packets go out as Ethernet frames on lan1's or inet's eth0, to
the router's MAC address; what arrives at lan1 and inet is sniffed on
their eth0. Before the sniffers are read, a datagram goes through the
mapping of 10.0.1.2:4000 (made by the caller, external port UDPEXT) each
way and is waited for: one CPU sends everything, so the packets sent
before it have been handled by then. Output is one fact per line, for the
caller to check, mostly "[PHASE-]lan-got N" and "[PHASE-]inet-got N"
(packets seen besides the markers), "lan:[PHASE] PACKET" or
"inet:[PHASE] PACKET" for each of them, and "markers N" (markers sent
each way).

  hostile.py truncated LAN RT INET UDPEXT TCPEXT ICMPEXT
      UDP, TCP, ICMP echo and ICMP error headers cut short by the IPv4
      total length, the frame ending there or going on (padding),
      inbound to the mappings' external ports (TCPEXT of 10.0.1.2:4001,
      ICMPEXT of lan1's echo identifier 4242) and outbound from lan1.
      Prints "sent-in N", "sent-out N".
  hostile.py badip LAN RT INET UDPEXT
      IHL 0 to 4, total length past the packet's end or below its
      header, both ways. Prints "expect-hdrerrors N" and
      "expect-truncated N": what the router's IP layer should count.
  hostile.py options LAN RT INET
      UDP between 10.0.1.2:4100 and 198.51.100.10:7100 with IP options
      (IHL 6, 11 and 15: NOPs, record route) both ways, through plain
      sockets. Prints "out IHL from SRC:PORT intact|corrupt options N
      rr ADDRS" as the remote saw each datagram (N bytes of options,
      the addresses recorded), "in IHL ..." as lan1 saw each answer.
  hostile.py nested LAN RT INET UDPEXT ICMPEXT
      ICMP errors quoting ICMP errors (two and three deep), inbound;
      then one plain error about the UDP mapping, which lan1 must get.
  hostile.py fragquote LAN RT INET UDPEXT TCPEXT ICMPEXT
      ICMP errors quoting a later fragment of a packet from each
      mapping, inbound; then one quoting a first fragment, which lan1
      must get.
  hostile.py lonefrag LAN RT INET UDPEXT WAIT
      Later fragments of UDP, TCP and ICMP packets whose first fragment
      never comes, both ways; looks again after WAIT seconds, after the
      router's reassembly timeout. Prints "queues N", one per fragment.
  hostile.py zerolen LAN RT INET
      Empty UDP datagrams from lan1 to 198.51.100.10: "plain" from a
      socket (10.0.1.2:4200 to port 7200), "nocsum" crafted with no
      checksum (4201 to 7201), "zerosum" from 24202 (preserved) to a port
      chosen so that the translated checksum computes to 0, which must
      be sent as 0xffff (RFC 768). Prints "NAME from SRC:PORT len N
      csum X valid|unchecked" as the remote got each (X: the checksum on
      its wire), then "reply from SRC:PORT len N" for the remote's empty
      answer to the plain one, as lan1 got it.
  hostile.py tcpflags LAN RT INET UDPEXT TCPEXT UNMAPPED
      TCP segments with each of the 256 flag bytes: inbound to TCPEXT,
      inbound to UNMAPPED, outbound from 10.0.1.2:4001. Prints per
      phase how many arrived, with how many flag bytes, bad checksums.
  hostile.py synflood INET COUNT SKIP
      COUNT SYNs from 198.51.100.10-13 to random ports 20000-29999 of
      203.0.113.1 except SKIP, through a raw socket (in INET).
  hostile.py lanrouter LAN RT INET UDPEXT
      ICMP errors (time exceeded, fragmentation needed) from 10.0.1.77, a
      router inside the LAN, about a packet that came in through the UDP
      mapping: inet must get them from WAN, quoting WAN:UDPEXT.
  hostile.py badcsum LAN RT INET UDPEXT
      ICMP errors about the UDP mapping with a wrong ICMP checksum, each
      way ("bad" phase), then with a right one ("good" phase).
  hostile.py otherproto LAN RT INET UDPEXT
      From lan1 to 198.51.100.10: GRE, ESP, SCTP and UDP-Lite packets,
      an echo reply, a timestamp request and an error quoting GRE.
      Prints "sent-out N".
  hostile.py spoof LAN RT INET UDPEXT
      From lan1 with WAN as source: UDP to 198.51.100.10 and, hairpinned,
      to WAN:UDPEXT. Prints "sent-out N".
  hostile.py watch RT STOPFILE [SECS]
      Ask the module for its mapping count (CONENAT_CMD_GET), thousands
      of times a second, until STOPFILE exists or SECS (300) have
      passed; print "max N samples K".
"""
import ctypes
import fcntl
import os
import random
import select
import socket
import struct
import sys
import time

from probe import csum      # probe.py, beside this file

WAN, LAN, REMOTE = "203.0.113.1", "10.0.1.2", "198.51.100.10"
CLONE_NEWNET = 0x40000000
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
SIOCGIFHWADDR = 0x8927
SO_RCVBUFFORCE = 33
IP_RECVOPTS = 6

_libc = ctypes.CDLL(None, use_errno=True)
_home = os.open("/proc/self/ns/net", os.O_RDONLY)


def enter(ns=None):
    """Switch this thread to namespace ns, or back home."""
    fd = os.open("/run/netns/" + ns, os.O_RDONLY) if ns else _home
    try:
        if _libc.setns(fd, CLONE_NEWNET):
            err = ctypes.get_errno()
            raise OSError(err, "setns %s: %s" % (ns, os.strerror(err)))
    finally:
        if ns:
            os.close(fd)


def ep(addr, port):
    return "%s:%d" % (addr, port)


def hwaddr(ns, ifname):
    enter(ns)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    enter()
    req = fcntl.ioctl(s.fileno(), SIOCGIFHWADDR,
                      struct.pack("256s", ifname.encode()))
    s.close()
    return req[18:24]


# ---- packets as bytes ---------------------------------------------------

def ip_fix(pkt):
    """Recompute the IPv4 header checksum (over IHL*4 bytes) of pkt."""
    b = bytearray(pkt)
    ihl = (b[0] & 15) * 4
    b[10:12] = b"\0\0"
    struct.pack_into("!H", b, 10, csum(bytes(b[:ihl])))
    return bytes(b)


def cut(pkt, l4len, trailer=False):
    """pkt with a total length of only l4len bytes past its IPv4 header:
    a valid IPv4 header whose packet ends inside the transport header.
    With trailer, the rest of the bytes still follow in the frame, as
    link layer padding, which the IP layer trims."""
    ihl = (pkt[0] & 15) * 4
    b = bytearray(pkt if trailer else pkt[:ihl + l4len])
    struct.pack_into("!H", b, 2, ihl + l4len)
    return ip_fix(b)


def l4_sum(pkt):
    """The checksum over pseudo-header and transport of a whole packet:
    0 when the transport checksum is right."""
    ihl = (pkt[0] & 15) * 4
    l4 = pkt[ihl:]
    if pkt[9] == 1:
        return csum(l4)
    return csum(pkt[12:20] + struct.pack("!BBH", 0, pkt[9], len(l4)) + l4)


def l4_fix(pkt):
    """Recompute the transport checksum of a whole UDP, TCP or ICMP
    packet."""
    ihl = (pkt[0] & 15) * 4
    off = ihl + {1: 2, 6: 16, 17: 6}[pkt[9]]
    b = bytearray(pkt)
    b[off:off + 2] = b"\0\0"
    s = l4_sum(bytes(b))
    if pkt[9] == 17 and s == 0:
        s = 0xFFFF
    struct.pack_into("!H", b, off, s)
    return bytes(b)


def describe(pkt):
    """One line for a packet: addresses, protocol, ports or ICMP type."""
    if len(pkt) < 20:
        return "short packet %s" % pkt.hex()
    ihl = (pkt[0] & 15) * 4
    src, dst = socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
    proto, l4 = pkt[9], pkt[ihl:]
    frag = struct.unpack("!H", pkt[6:8])[0]
    what = "proto %d" % proto
    if frag & 0x3FFF:
        what += " fragment offset %d%s" % ((frag & 0x1FFF) * 8,
                                           " MF" if frag & 0x2000 else "")
    elif proto in (6, 17) and len(l4) >= 4:
        sp, dp = struct.unpack("!HH", l4[:4])
        src, dst = ep(src, sp), ep(dst, dp)
        what = "udp" if proto == 17 else "tcp"
        if proto == 6 and len(l4) >= 14:
            what += " flags 0x%02x" % l4[13]
    elif proto == 1 and len(l4) >= 2:
        what = "icmp type %d code %d" % (l4[0], l4[1])
    return "%s > %s %s len %d" % (src, dst, what, len(pkt))


def l4_ports(pkt, proto, hlen):
    """(src, sport, dst, dport) of an unfragmented packet of IP protocol
    proto that holds hlen bytes of its transport header, or None."""
    ihl = (pkt[0] & 15) * 4
    if pkt[9] != proto or struct.unpack("!H", pkt[6:8])[0] & 0x3FFF or \
            len(pkt) < ihl + hlen:
        return None
    sp, dp = struct.unpack("!HH", pkt[ihl:ihl + 4])
    return (socket.inet_ntoa(pkt[12:16]), sp, socket.inet_ntoa(pkt[16:20]),
            dp)


def udp_ports(pkt):
    """(src, sport, dst, dport) of an unfragmented UDP packet, or None."""
    return l4_ports(pkt, 17, 8)


# ---- the lab ------------------------------------------------------------

class Port:
    """An Ethernet port of a namespace, wired to the router: send frames
    to the router's interface peer_if, sniff the IPv4 packets arriving."""

    def __init__(self, ns, ifname, rt, peer_if):
        self.dst = hwaddr(rt, peer_if)
        self.src = hwaddr(ns, ifname)
        enter(ns)
        self.tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.tx.bind((ifname, 0))
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                                socket.htons(ETH_P_IP))
        self.rx.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
        self.rx.bind((ifname, ETH_P_IP))
        self.rx.setblocking(False)
        enter()
        self.drain()

    def send(self, pkt):
        self.tx.send(self.dst + self.src + b"\x08\x00" + pkt)

    def drain(self):
        """The packets that arrived since the last call."""
        got = []
        while True:
            try:
                data, addr = self.rx.recvfrom(65535)
            except BlockingIOError:
                return got
            if addr[2] != PACKET_OUTGOING:
                got.append(data)


def udp_socket(ns, addr, port):
    enter(ns)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    enter()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    return s


def recv_until(s, want, secs):
    """Read s until a datagram equal to want comes; whether it came."""
    deadline = time.time() + secs
    while time.time() < deadline:
        if select.select([s], [], [], deadline - time.time())[0]:
            if s.recv(65535) == want:
                return True
    return False


class Lab:
    """lan1 and inet, each with a port to the router, a sniffer and a
    sink for the markers that go through the UDP mapping of
    10.0.1.2:4000, external port udp_ext."""

    def __init__(self, lan, rt, inet, udp_ext):
        # One CPU: frames and markers then queue on one backlog, in order.
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        self.udp_ext = int(udp_ext)
        self.lan = Port(lan, "eth0", rt, "eth1")
        self.inet = Port(inet, "eth0", rt, "wan0")
        self.lan_sink = udp_socket(lan, LAN, 4000)
        self.inet_sink = udp_socket(inet, REMOTE, 9999)
        self.markers = 0

    def marker(self, p):
        u = udp_ports(p)
        return u in ((REMOTE, 9999, LAN, 4000),
                     (WAN, self.udp_ext, REMOTE, 9999))

    def settle(self):
        """Send a marker each way through the mapping and wait for both;
        return what else arrived at lan1 and at inet meanwhile."""
        self.markers += 1
        token = b"marker %d %d" % (self.markers, random.getrandbits(32))
        self.inet_sink.sendto(token, (WAN, self.udp_ext))
        self.lan_sink.sendto(token, (REMOTE, 9999))
        if not recv_until(self.lan_sink, token, 30):
            sys.exit("marker to %s lost: the mapping of %s broke" %
                     (ep(WAN, self.udp_ext), ep(LAN, 4000)))
        if not recv_until(self.inet_sink, token, 30):
            sys.exit("marker from %s lost: the mapping broke" % ep(LAN, 4000))
        time.sleep(0.2)
        return ([p for p in self.lan.drain() if not self.marker(p)],
                [p for p in self.inet.drain() if not self.marker(p)])

    def report(self, name=""):
        """Settle and print every packet that arrived, then the markers
        sent so far ("markers N", each once per direction)."""
        lan, inet = self.settle()
        for p in lan:
            print("lan:%s %s" % (name, describe(p)))
        for p in inet:
            print("inet:%s %s" % (name, describe(p)))
        print("%slan-got %d" % (name + "-" if name else "", len(lan)))
        print("%sinet-got %d" % (name + "-" if name else "", len(inet)))
        return lan, inet


def scapy():
    """Import the parts of scapy used, only when needed (slow)."""
    global IP, UDP, TCP, ICMP, raw
    from scapy.layers.inet import IP, UDP, TCP, ICMP
    from scapy.compat import raw


# ---- commands -----------------------------------------------------------

def truncated(lan, rt, inet, udp_ext, tcp_ext, icmp_ext):
    scapy()
    lab = Lab(lan, rt, inet, udp_ext)
    udp_ext, tcp_ext, icmp_ext = int(udp_ext), int(tcp_ext), int(icmp_ext)

    def batch(src, dst, sport_udp, sport_tcp, echo, icmp_id, quote):
        """Packets from src to dst, each cut inside its transport header:
        UDP (8 bytes), TCP (20), ICMP echo (8) and an ICMP error whose
        quote is cut in its IPv4 header or in the 8 bytes after it; each
        once ending there, once with the rest of it as a trailer."""
        p = []
        udp = raw(IP(src=src, dst=dst) / UDP(sport=sport_udp[0],
                                             dport=sport_udp[1]) /
                  (b"x" * 16))
        p += [cut(udp, n) for n in (0, 1, 4, 7)]
        tcp = raw(IP(src=src, dst=dst) / TCP(sport=sport_tcp[0],
                                             dport=sport_tcp[1], flags="A"))
        p += [cut(tcp, n) for n in (0, 4, 8, 13, 16, 19)]
        icmp = raw(IP(src=src, dst=dst) / ICMP(type=echo, id=icmp_id) / b"x")
        p += [cut(icmp, n) for n in (0, 4, 7)]
        qsrc, qdst, qsp, qdp = quote
        q = raw(IP(src=qsrc, dst=qdst) / UDP(sport=qsp, dport=qdp) /
                (b"x" * 8))
        err = raw(IP(src=src, dst=dst) / ICMP(type=3, code=3) / q)
        # outer ICMP header (8) + quoted IPv4 cut at 0, 10, 19; + 0, 4, 7
        p += [cut(err, 8 + n) for n in (0, 10, 19, 20, 24, 27)]
        # a quoted IPv4 header claiming options (IHL 15) it does not have
        qopt = bytearray(q[:28])
        qopt[0] = 0x4F
        p.append(raw(IP(src=src, dst=dst) / ICMP(type=3, code=3) /
                     bytes(qopt)))
        # the same with the cut bytes still in the frame
        p += [cut(udp, n, True) for n in (0, 1, 4, 7)]
        p += [cut(tcp, n, True) for n in (0, 4, 8, 13, 16, 19)]
        p += [cut(icmp, n, True) for n in (0, 4, 7)]
        p += [cut(err, 8 + n, True) for n in (0, 10, 19, 20, 24, 27)]
        return p

    inbound = batch(REMOTE, WAN, (3478, udp_ext), (8080, tcp_ext), 0,
                    icmp_ext, (WAN, REMOTE, udp_ext, 3478))
    outbound = batch(LAN, REMOTE, (4300, 3478), (4301, 8080), 8, 4302,
                     (REMOTE, LAN, 3478, 4000))
    for p in inbound:
        lab.inet.send(p)
    for p in outbound:
        lab.lan.send(p)
    print("sent-in %d" % len(inbound))
    print("sent-out %d" % len(outbound))
    lab.report()
    print("markers %d" % lab.markers)


def badip(lan, rt, inet, udp_ext):
    scapy()
    lab = Lab(lan, rt, inet, udp_ext)
    hdr = trunc = 0

    def variants(src, dst, sport, dport):
        nonlocal hdr, trunc
        good = raw(IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) /
                   b"hostile")
        p = []
        for ihl in range(5):                    # IHL 0..4: header error
            b = bytearray(good)
            b[0] = 0x40 | ihl
            p.append(ip_fix(b) if ihl else bytes(b))
            hdr += 1
        for extra in (1, 100, 65535 - len(good)):   # total length too long
            b = bytearray(good)
            struct.pack_into("!H", b, 2, len(good) + extra)
            p.append(ip_fix(b))
            trunc += 1
        for total in (0, 12, 19):               # below the header
            b = bytearray(good)
            struct.pack_into("!H", b, 2, total)
            p.append(ip_fix(b))
            hdr += 1
        b = bytearray(good)                     # IHL 15 past the end
        b[0] = 0x4F
        p.append(bytes(b))
        hdr += 1
        return p

    inbound = variants(REMOTE, WAN, 3478, int(udp_ext))
    outbound = variants(LAN, REMOTE, 4000, 3478)
    for p in inbound:
        lab.inet.send(p)
    for p in outbound:
        lab.lan.send(p)
    sent = len(inbound) + len(outbound)
    print("sent %d" % sent)
    print("expect-hdrerrors %d" % hdr)
    print("expect-truncated %d" % trunc)
    lab.report()
    print("markers %d" % lab.markers)


def ip_options(size):
    """IP options of size bytes (a multiple of 4): NOPs, a record route
    option with free slots when there is room, end of list."""
    if size < 12:
        return b"\x01" * (size - 1) + b"\x00"
    slots = (size - 4) // 4
    rr = bytes([7, 3 + 4 * slots, 4]) + bytes(4 * slots)
    return b"\x01" * (size - len(rr) - 1) + rr + b"\x00"


def record_route(opts):
    """The addresses recorded in a record route option of opts, or "-"."""
    i = 0
    while i < len(opts) and opts[i] != 0:
        if opts[i] == 1:
            i += 1
            continue
        if opts[i] == 7:
            end = i + opts[i + 2] - 1
            rr = [socket.inet_ntoa(opts[a:a + 4]) for a in
                  range(i + 3, end, 4)]
            return ",".join(rr) or "-"
        i += max(opts[i + 1], 2)
    return "-"


def options(lan, rt, inet):
    a = udp_socket(lan, LAN, 4100)
    b = udp_socket(inet, REMOTE, 7100)
    for s in a, b:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVOPTS, 1)
        s.settimeout(10)

    def recv(s, want, what):
        try:
            got, anc, _, peer = s.recvmsg(65535, 1024)
        except socket.timeout:
            print("%s lost" % what)
            return None
        opts = b"".join(d for _, t, d in anc if t == IP_RECVOPTS)
        print("%s from %s %s options %d rr %s" % (
            what, ep(*peer), "intact" if got == want else "corrupt",
            len(opts), record_route(opts)))
        return peer

    for ihl in (6, 11, 15):
        opts = ip_options((ihl - 5) * 4)
        data = os.urandom(64 + ihl)
        a.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, opts)
        a.sendto(data, (REMOTE, 7100))
        peer = recv(b, data, "out %d" % ihl)
        if peer:
            b.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, opts)
            b.sendto(data[::-1], peer)
            recv(a, data[::-1], "in %d" % ihl)


def icmp_error(src, dst, icmp_type, code, quoted, rest=0):
    """An ICMP error from src to dst quoting the packet quoted (bytes);
    rest: the 4 bytes after the checksum, where an echo has its
    identifier and sequence number."""
    msg = struct.pack("!BBHI", icmp_type, code, 0, rest) + quoted
    msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
    return raw(IP(src=src, dst=dst, proto=1) / msg)


def nested(lan, rt, inet, udp_ext, icmp_ext):
    scapy()
    lab = Lab(lan, rt, inet, udp_ext)
    udp_ext, icmp_ext = int(udp_ext), int(icmp_ext)
    ident = icmp_ext << 16 | 1
    # What the router sent and an error came back about.
    udp = raw(IP(src=WAN, dst=REMOTE) / UDP(sport=udp_ext, dport=3478) /
              b"quoted")
    echo = raw(IP(src=WAN, dst=REMOTE) / ICMP(type=8, id=icmp_ext) / b"q")

    def err(t, c, quoted, rest=0):
        return icmp_error(REMOTE, WAN, t, c, quoted, rest)

    def sent(t, c, quoted, rest=0):
        """An error the router would have sent, about quoted."""
        return icmp_error(WAN, REMOTE, t, c, quoted, rest)

    level2 = [
        err(3, 3, sent(3, 3, udp)),
        err(11, 0, sent(3, 1, udp)),
        err(3, 3, sent(3, 3, echo)),
        err(12, 0, sent(11, 0, echo), ident),
        # the inner error's bytes 4-7 hold the echo mapping's identifier
        err(3, 3, sent(3, 3, udp, ident), ident),
        err(3, 4, sent(12, 0, echo, ident)),
    ]
    level3 = [
        err(3, 3, sent(11, 0, err(3, 3, udp))),
        err(12, 0, sent(3, 3, err(3, 3, echo, ident), ident), ident),
    ]
    # Quoting an error cut to its first 8 bytes, as RFC 792 allows.
    short = [err(3, 3, sent(3, 3, udp, ident)[:28])]
    for p in level2 + level3 + short:
        lab.inet.send(p)
    print("sent-in %d" % (len(level2) + len(level3) + len(short)))
    lab.report("nested")
    # Control: a plain error about the UDP mapping goes on to lan1.
    lab.inet.send(err(3, 3, udp))
    lab.report("control")
    print("markers %d" % lab.markers)


def fragquote(lan, rt, inet, udp_ext, tcp_ext, icmp_ext):
    scapy()
    lab = Lab(lan, rt, inet, udp_ext)
    udp_ext, tcp_ext, icmp_ext = int(udp_ext), int(tcp_ext), int(icmp_ext)
    n = 0
    for off, mf in ((8, 0), (8, 1), (1480, 1), (65528, 0)):
        flags = "MF" if mf else 0
        # 8 bytes where the ports would be, or echo type and identifier
        quotes = [
            IP(src=WAN, dst=REMOTE, proto=17, flags=flags, frag=off // 8) /
            struct.pack("!HHHH", udp_ext, 3478, 16, 0),
            IP(src=WAN, dst=REMOTE, proto=6, flags=flags, frag=off // 8) /
            struct.pack("!HHI", tcp_ext, 8080, 1),
            IP(src=WAN, dst=REMOTE, proto=1, flags=flags, frag=off // 8) /
            struct.pack("!BBHHH", 8, 0, 0, icmp_ext, 1),
        ]
        for t, c in ((3, 3), (11, 0), (3, 4)):
            for q in quotes:
                lab.inet.send(icmp_error(REMOTE, WAN, t, c, raw(q)))
                n += 1
    print("sent-in %d" % n)
    lab.report("later")
    # Control: the same about a first fragment goes on to lan1.
    q = IP(src=WAN, dst=REMOTE, proto=17, flags="MF", frag=0) / \
        struct.pack("!HHHH", udp_ext, 3478, 1480, 0)
    lab.inet.send(icmp_error(REMOTE, WAN, 3, 3, raw(q)))
    lab.report("first")
    print("markers %d" % lab.markers)


def lonefrag(lan, rt, inet, udp_ext, wait):
    scapy()
    lab = Lab(lan, rt, inet, udp_ext)
    udp_ext = int(udp_ext)
    ident = random.randrange(1, 60000)
    queues = 0

    def frags(src, dst, sport, dport):
        """Later fragments, each of its own datagram, whose first bytes
        look like the transport header the first fragment would have."""
        nonlocal ident, queues
        p = []
        for proto, head in ((17, struct.pack("!HHHH", sport, dport, 72, 0)),
                            (6, struct.pack("!HHII", sport, dport, 1, 0)),
                            (1, struct.pack("!BBHHH", 0, 0, 0, dport, 1))):
            for off, flags in ((8, "MF"), (64, 0), (1480, "MF")):
                ident += 1
                queues += 1
                p.append(raw(IP(src=src, dst=dst, proto=proto, id=ident,
                                flags=flags, frag=off // 8) /
                             (head + b"f" * 56)))
        return p

    inbound = frags(REMOTE, WAN, 3478, udp_ext)
    outbound = frags(LAN, REMOTE, 4000, 3478)
    for p in inbound:
        lab.inet.send(p)
    for p in outbound:
        lab.lan.send(p)
    print("sent-in %d" % len(inbound))
    print("sent-out %d" % len(outbound))
    print("queues %d" % queues)
    lab.report("held")
    time.sleep(float(wait))
    lab.report("expired")
    print("markers %d" % lab.markers)


def zero_csum_port(src, dst, sport):
    """A destination port >= 7000 that makes the UDP checksum of an empty
    datagram from src:sport compute to 0."""
    for dport in range(7000, 65536):
        p = socket.inet_aton(src) + socket.inet_aton(dst) + \
            struct.pack("!BBHHHHH", 0, 17, 8, sport, dport, 8, 0)
        if csum(p) == 0:
            return dport
    sys.exit("no port gives checksum 0")


def zerolen(lan, rt, inet):
    scapy()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    wire = Port(inet, "eth0", rt, "wan0")
    tx = Port(lan, "eth0", rt, "eth1")
    # Port preservation keeps 24202, so the translated checksum is known.
    sport = 24202
    dzero = zero_csum_port(WAN, REMOTE, sport)
    plain = udp_socket(lan, LAN, 4200)
    plain.settimeout(10)
    sinks = {}
    for name, dport in (("plain", 7200), ("nocsum", 7201), ("zerosum", dzero)):
        sinks[name] = udp_socket(inet, REMOTE, dport)
        sinks[name].settimeout(10)
    plain.sendto(b"", (REMOTE, 7200))
    tx.send(raw(IP(src=LAN, dst=REMOTE) /
                UDP(sport=4201, dport=7201, chksum=0)))
    tx.send(raw(IP(src=LAN, dst=REMOTE) / UDP(sport=sport, dport=dzero)))
    print("zerosum-port %d" % dzero)
    got = {}
    for name, s in sinks.items():
        try:
            got[name] = s.recvfrom(65535)
        except socket.timeout:
            print("%s lost" % name)
    time.sleep(0.2)
    seen = wire.drain()
    for name, (data, peer) in got.items():
        line = "%s from %s len %d" % (name, ep(*peer), len(data))
        for p in seen:
            u = udp_ports(p)
            if u and u[:2] == peer and u[3] == sinks[name].getsockname()[1]:
                off = (p[0] & 15) * 4 + 6
                line += " csum %s %s" % (p[off:off + 2].hex(),
                                         "valid" if l4_sum(p) == 0 else
                                         "unchecked")
        print(line)
    # The remote answers the socket's datagram with an empty one.
    if "plain" in got:
        sinks["plain"].sendto(b"", got["plain"][1])
        try:
            data, peer = plain.recvfrom(65535)
            print("reply from %s len %d" % (ep(*peer), len(data)))
        except socket.timeout:
            print("reply lost")


def tcp_ends(pkt):
    """("SRC:PORT", "DST:PORT") of an unfragmented TCP packet, or None."""
    p = l4_ports(pkt, 6, 20)
    return p and (ep(p[0], p[1]), ep(p[2], p[3]))


def tcpflags(lan, rt, inet, udp_ext, tcp_ext, unmapped):
    scapy()
    lab = Lab(lan, rt, inet, udp_ext)
    tcp_ext, unmapped = int(tcp_ext), int(unmapped)

    def segments(src, dst, sport, dport):
        t = bytearray(raw(IP(src=src, dst=dst) /
                          TCP(sport=sport, dport=dport, seq=1000, ack=2000,
                              window=1024) / b"flags"))
        for flags in range(256):
            t[20 + 13] = flags
            yield l4_fix(bytes(t))

    def tally(name, pkts, src, dst):
        """How many segments from src to dst arrived, with how many
        distinct flag bytes, how many with a wrong checksum."""
        want = [p for p in pkts if tcp_ends(p) == (src, dst)]
        print("%s got %d flags %d badcsum %d" % (
            name, len(want), len({p[20 + 13] for p in want}),
            sum(1 for p in want if l4_sum(p) != 0)))

    def leaks(name, pkts, bad):
        found = [p for p in pkts if bad(p)]
        for p in found:
            print("%s leak: %s" % (name, describe(p)))
        print("%s leaked %d" % (name, len(found)))

    for p in segments(REMOTE, WAN, 8081, tcp_ext):
        lab.inet.send(p)
    lan_got, inet_got = lab.settle()
    tally("in-mapped", lan_got, ep(REMOTE, 8081), ep(LAN, 4001))

    for p in segments(REMOTE, WAN, 8082, unmapped):
        lab.inet.send(p)
    lan_got, inet_got = lab.settle()
    # Nothing for lan1, and no answer (a RST) from the router.
    leaks("in-unmapped", lan_got + inet_got,
          lambda p: (tcp_ends(p) or ("", ""))[0] in (ep(REMOTE, 8082),
                                                     ep(WAN, unmapped)))

    for p in segments(LAN, REMOTE, 4001, 8083):
        lab.lan.send(p)
    lan_got, inet_got = lab.settle()
    tally("out", inet_got, ep(WAN, tcp_ext), ep(REMOTE, 8083))
    leaks("out", inet_got, lambda p: socket.inet_ntoa(p[12:16]) == LAN)
    print("markers %d" % lab.markers)


def synflood(inet, count, skip):
    enter(inet)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    enter()
    skip = int(skip)
    dst = socket.inet_aton(WAN)
    sent = 0
    for i in range(int(count)):
        dport = random.randrange(20000, 30000)
        if dport == skip:
            continue
        src = socket.inet_aton("198.51.100.%d" % (10 + i % 4))
        tcp = struct.pack("!HHIIBBHHH", random.randrange(1024, 65536), dport,
                          random.getrandbits(32), 0, 5 << 4, 0x02, 65535, 0,
                          0)
        check = csum(src + dst + struct.pack("!BBH", 0, 6, 20) + tcp)
        tcp = tcp[:16] + struct.pack("!H", check) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0, 64, 6, 0, src,
                         dst)
        s.sendto(ip + tcp, (WAN, 0))
        sent += 1
    print("sent %d" % sent)


def watch(rt, stopfile, secs="300"):
    """Poll CONENAT_CMD_GET for CONENAT_A_MAPPINGS."""
    deadline = time.time() + float(secs)
    enter(rt)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    enter()
    s.bind((0, 0))

    def talk(mtype, cmd, attrs, seq):
        body = struct.pack("=BBH", cmd, 1, 0) + attrs
        s.send(struct.pack("=IHHII", 16 + len(body), mtype, 1, seq, 0) +
               body)
        data = s.recv(65536)
        mlen, mt = struct.unpack_from("=IH", data)
        if mt == 2:
            sys.exit("netlink error %d" % struct.unpack_from("=i", data, 16))
        attrs, off = {}, 20
        while off + 4 <= mlen:
            alen, atype = struct.unpack_from("=HH", data, off)
            attrs[atype & 0x3FFF] = data[off + 4:off + alen]
            off += (alen + 3) & ~3
        return attrs

    name = b"conenat\0"
    a = struct.pack("=HH", 4 + len(name), 2) + name
    family = struct.unpack("=H", talk(16, 3, a, 1)[1][:2])[0]  # ctrl
    top = samples = 0
    seq = 2
    while not os.path.exists(stopfile) and time.time() < deadline:
        time.sleep(0.0005)
        for _ in range(50):
            seq += 1
            got = talk(family, 1, b"", seq)     # CONENAT_CMD_GET
            if 18 in got:                       # CONENAT_A_MAPPINGS
                top = max(top, struct.unpack("=I", got[18][:4])[0])
                samples += 1
    print("max %d samples %d" % (top, samples))


def lanrouter(lan, rt, inet, udp_ext):
    scapy()
    lab = Lab(lan, rt, inet, udp_ext)
    # What lan1 got through the mapping, and a LAN router then refused.
    quoted = raw(IP(src=REMOTE, dst=LAN, ttl=1) / UDP(sport=3478, dport=4000) /
                 b"quoted")
    lab.lan.send(icmp_error("10.0.1.77", REMOTE, 11, 0, quoted))
    lab.lan.send(icmp_error("10.0.1.77", REMOTE, 3, 4, quoted, 1280))
    lab.report("lanrouter")
    print("markers %d" % lab.markers)


def bad_sum(pkt):
    """pkt, an ICMP message, with its checksum off by one."""
    b = bytearray(pkt)
    ihl = (b[0] & 15) * 4
    b[ihl + 3] ^= 1
    return bytes(b)


def badcsum(lan, rt, inet, udp_ext):
    scapy()
    lab = Lab(lan, rt, inet, udp_ext)
    udp_ext = int(udp_ext)
    sent = raw(IP(src=WAN, dst=REMOTE) / UDP(sport=udp_ext, dport=3478) /
               b"quoted")
    got = raw(IP(src=REMOTE, dst=LAN) / UDP(sport=3478, dport=4000) /
              b"quoted")
    inbound = icmp_error(REMOTE, WAN, 3, 3, sent)
    outbound = icmp_error(LAN, REMOTE, 3, 3, got)
    lab.inet.send(bad_sum(inbound))
    lab.lan.send(bad_sum(outbound))
    lab.report("bad")
    lab.inet.send(inbound)
    lab.lan.send(outbound)
    lab.report("good")
    print("markers %d" % lab.markers)


def otherproto(lan, rt, inet, udp_ext):
    scapy()
    lab = Lab(lan, rt, inet, udp_ext)
    gre = raw(IP(src=LAN, dst=REMOTE, proto=47) / b"\0\0\x08\0gre")
    pkts = [
        gre,
        raw(IP(src=LAN, dst=REMOTE, proto=50) / (b"\0\0\1\0" * 4)),
        raw(IP(src=LAN, dst=REMOTE, proto=132) / (b"\x11\x22" * 8)),
        raw(IP(src=LAN, dst=REMOTE, proto=136) / UDP(sport=4300, dport=7300)),
        raw(IP(src=LAN, dst=REMOTE) / ICMP(type=0, id=4243) / b"reply"),
        raw(IP(src=LAN, dst=REMOTE) / ICMP(type=13, id=4244) / (b"\0" * 12)),
        icmp_error(LAN, REMOTE, 3, 3, raw(IP(src=REMOTE, dst=LAN, proto=47) /
                                          b"\0\0\x08\0gre")),
    ]
    for p in pkts:
        lab.lan.send(p)
    print("sent-out %d" % len(pkts))
    lab.report("other")


def spoof(lan, rt, inet, udp_ext):
    scapy()
    lab = Lab(lan, rt, inet, udp_ext)
    pkts = [raw(IP(src=WAN, dst=REMOTE) / UDP(sport=5555, dport=3478) /
                b"spoofed"),
            raw(IP(src=WAN, dst=WAN) / UDP(sport=5556, dport=int(udp_ext)) /
                b"spoofed hairpin")]
    for p in pkts:
        lab.lan.send(p)
    print("sent-out %d" % len(pkts))
    lab.report("spoof")


def main(argv):
    cmds = {"truncated": truncated, "badip": badip, "options": options,
            "nested": nested, "fragquote": fragquote, "lonefrag": lonefrag,
            "zerolen": zerolen, "tcpflags": tcpflags, "synflood": synflood,
            "lanrouter": lanrouter, "badcsum": badcsum,
            "otherproto": otherproto, "spoof": spoof, "watch": watch}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    ret = cmds[argv[1]](*argv[2:]) or 0
    sys.stdout.flush()
    return ret


if __name__ == "__main__":
    sys.exit(main(sys.argv))
