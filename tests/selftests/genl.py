#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile generic netlink requests to the conenat family.

  genl.py hostile
      Send every malformed request below (attributes out of range, of the
      wrong type or length, missing, given twice, unknown, reply-only) and
      print one TAP line each: "ok" when the kernel refused it with an
      error and an extack message, "not ok" otherwise. Exit 1 if any was
      accepted or refused without a message. conenat must be up, with
      defaults, in the caller's namespace; a refused request changes
      nothing, which the caller checks.

  genl.py dump [change]
      Dump the mappings, reading the reply one part at a time, and print
      "parts P entries N interrupted yes|no": whether any message came
      flagged NLM_F_DUMP_INTR. With "change", a port forward (UDP 40000
      to 10.0.9.9:9) is added after the first part is read, and deleted at
      the end; the table must be large enough for three parts.
"""
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR = 1, 4, 0x300, 0x10
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLMSGERR_ATTR_MSG = 1
NESTED = 0x8000

# include/uapi/linux/conenat.h
GET, UP, SET, DOWN, GET_MAPPINGS, FLUSH, GET_STATS = 1, 2, 3, 4, 5, 6, 7
FORWARD_ADD, FORWARD_DEL = 8, 9
A_IFNAME, A_IFINDEX, A_EXT_ADDR, A_RANGES, A_RANGE = 3, 4, 5, 6, 7
A_TIMEOUT_UDP, A_HOLDDOWN, A_MAX_MAPPINGS = 8, 12, 13
A_INBOUND_REFRESH, A_UNSAFE_TIMEOUTS, A_MAPPING, A_PROTO = 16, 17, 19, 20
A_INT_ADDR, A_INTERNAL, A_PREFIX, A_ADDRS, A_STATIC = 21, 23, 25, 27, 28
A_FORWARDS = 26
A_MAX_CONNS_PER_HOST, A_MAX_CONNS_PER_MAPPING = 29, 30
RANGE_PROTO, RANGE_MIN, RANGE_MAX = 1, 2, 3
PFX_ADDR, PFX_LEN = 1, 2
MAP_PROTO, MAP_INT_ADDR, MAP_INT_PORT, MAP_EXT_PORT = 1, 2, 3, 5
UDP, TCP, ICMP, GRE = 17, 6, 1, 47


def attr(atype, payload):
    """One attribute; payload is bytes or a list of attributes (a nest)."""
    if isinstance(payload, list):
        payload = b"".join(payload)
        atype |= NESTED
    data = struct.pack("=HH", 4 + len(payload), atype) + payload
    return data + b"\0" * (-len(data) % 4)


def u8(t, v):
    return attr(t, struct.pack("=B", v))


def u16(t, v):
    return attr(t, struct.pack("=H", v))


def u32(t, v):
    return attr(t, struct.pack("=I", v))


def addr(t, a):
    return attr(t, socket.inet_aton(a))


def rng(proto, lo, hi):
    return attr(A_RANGE, [u8(RANGE_PROTO, proto), u16(RANGE_MIN, lo),
                          u16(RANGE_MAX, hi)])


def pfx(a, n):
    return attr(A_PREFIX, [addr(PFX_ADDR, a), u8(PFX_LEN, n)])


def fwd(*attrs):
    return attr(A_MAPPING, list(attrs))


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.setsockopt(270, NETLINK_EXT_ACK, 1)    # SOL_NETLINK
        self.s.setsockopt(270, NETLINK_CAP_ACK, 1)
        self.s.bind((0, 0))
        self.seq = 0
        err, _, msgs = self.talk(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                 attr(CTRL_ATTR_FAMILY_NAME, b"conenat\0"))
        if err:
            sys.exit("conenat family not found")
        self.family = self.family_id(msgs[0])

    @staticmethod
    def family_id(msg):
        off = 4
        while off + 4 <= len(msg):
            alen, atype = struct.unpack_from("=HH", msg, off)
            if atype == CTRL_ATTR_FAMILY_ID:
                return struct.unpack_from("=H", msg, off + 4)[0]
            off += (alen + 3) & ~3
        sys.exit("no family id")

    def talk(self, mtype, cmd, attrs, flags=NLM_F_ACK):
        """Send one request: (errno or 0, extack message, reply payloads)."""
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + attrs
        self.s.send(struct.pack("=IHHII", 16 + len(body), mtype,
                                NLM_F_REQUEST | flags, self.seq, 0) + body)
        msgs = []
        while True:
            data = self.s.recv(65536)
            off = 0
            while off + 16 <= len(data):
                mlen, mt, _, seq, _ = struct.unpack_from("=IHHII", data, off)
                payload = data[off + 16:off + mlen]
                off += (mlen + 3) & ~3
                if seq != self.seq:
                    continue
                if mt == NLMSG_ERROR:
                    return self.error(payload) + (msgs,)
                if mt == NLMSG_DONE:
                    return 0, "", msgs
                msgs.append(payload)

    @staticmethod
    def error(payload):
        err = -struct.unpack_from("=i", payload)[0]
        off, msg = 4 + 16, ""       # capped: the request's header only
        while off + 4 <= len(payload):
            alen, atype = struct.unpack_from("=HH", payload, off)
            if atype == NLMSGERR_ATTR_MSG:
                msg = payload[off + 4:off + alen].rstrip(b"\0").decode()
            off += (alen + 3) & ~3
        return err, msg


# (name, command, attributes, flags): each must be refused with a message.
CASES = [
    ("UDP timeout 0", SET, u32(A_TIMEOUT_UDP, 0)),
    ("UDP timeout as u16", SET, u16(A_TIMEOUT_UDP, 300)),
    ("UDP timeout as 8 bytes", SET, attr(A_TIMEOUT_UDP, b"\1" * 8)),
    ("hold-down beyond a week", SET, u32(A_HOLDDOWN, 7 * 86400 + 1)),
    ("max mappings 0", SET, u32(A_MAX_MAPPINGS, 0)),
    ("max mappings 2^25", SET, u32(A_MAX_MAPPINGS, 1 << 25)),
    ("inbound refresh 2", SET, u8(A_INBOUND_REFRESH, 2)),
    ("flag with a payload", SET, u32(A_UNSAFE_TIMEOUTS, 1)),
    ("interface name of 16 bytes", SET, attr(A_IFNAME, b"a" * 16 + b"\0")),
    ("interface name without NUL", SET, attr(A_IFNAME, b"wan0")),
    ("empty interface name", SET, attr(A_IFNAME, b"\0")),
    ("up without interface", UP, u32(A_TIMEOUT_UDP, 300)),
    ("unknown attribute", SET, u32(200, 1)),
    ("reply-only attribute", SET, u32(A_IFINDEX, 1)),
    ("attribute 0", SET, u32(0, 1)),
    ("UDP timeout given twice", SET,
     u32(A_TIMEOUT_UDP, 300) + u32(A_TIMEOUT_UDP, 400)),
    ("ranges not nested", SET, attr(A_RANGES, b"\1\2\3")),
    ("range without max", SET,
     attr(A_RANGES, [attr(A_RANGE, [u8(RANGE_PROTO, UDP),
                                    u16(RANGE_MIN, 1000)])])),
    ("range from 0", SET, attr(A_RANGES, [rng(UDP, 0, 100)])),
    ("range upside down", SET, attr(A_RANGES, [rng(UDP, 3000, 2000)])),
    ("range of GRE", SET, attr(A_RANGES, [rng(GRE, 1000, 2000)])),
    ("range min given twice", SET,
     attr(A_RANGES, [attr(A_RANGE, [u8(RANGE_PROTO, UDP),
                                    u16(RANGE_MIN, 1000),
                                    u16(RANGE_MIN, 1500),
                                    u16(RANGE_MAX, 2000)])])),
    ("nine UDP ranges", SET,
     attr(A_RANGES, [rng(UDP, 1000 * i, 1000 * i + 10)
                     for i in range(1, 10)])),
    ("overlapping ranges", SET,
     attr(A_RANGES, [rng(UDP, 1000, 2000), rng(UDP, 1500, 2500)])),
    ("prefix /33", SET, attr(A_INTERNAL, [pfx("10.0.0.0", 33)])),
    ("prefix without length", SET,
     attr(A_INTERNAL, [attr(A_PREFIX, [addr(PFX_ADDR, "10.0.0.0")])])),
    ("prefix with host bits", SET, attr(A_INTERNAL, [pfx("10.0.0.1", 24)])),
    ("seventeen prefixes", SET,
     attr(A_INTERNAL, [pfx("10.%d.0.0" % i, 16) for i in range(17)])),
    ("pool holding a prefix", SET, attr(A_ADDRS, [pfx("10.0.0.0", 8)])),
    ("pool address 0.0.0.0", SET, attr(A_ADDRS, [addr(A_EXT_ADDR, "0.0.0.0")])),
    ("pool address of 2 bytes", SET, attr(A_ADDRS, [u16(A_EXT_ADDR, 1)])),
    ("pool of 65", SET,
     attr(A_ADDRS, [addr(A_EXT_ADDR, "100.64.0.%d" % i)
                    for i in range(1, 66)])),
    ("no connections per host", SET, u32(A_MAX_CONNS_PER_HOST, 0)),
    ("no connections per mapping", SET, u32(A_MAX_CONNS_PER_MAPPING, 0)),
    ("65536 connections per mapping", SET,
     u32(A_MAX_CONNS_PER_MAPPING, 65536)),
    ("connections per mapping as u16", SET,
     u16(A_MAX_CONNS_PER_MAPPING, 100)),
    ("forward without mapping", FORWARD_ADD, b""),
    ("forward without internal address", FORWARD_ADD,
     fwd(u8(MAP_PROTO, UDP), u16(MAP_EXT_PORT, 4000), u16(MAP_INT_PORT, 1))),
    ("forward of ICMP", FORWARD_ADD,
     fwd(u8(MAP_PROTO, ICMP), u16(MAP_EXT_PORT, 4000),
         addr(MAP_INT_ADDR, "10.0.1.2"), u16(MAP_INT_PORT, 1))),
    ("forward to port 0", FORWARD_ADD,
     fwd(u8(MAP_PROTO, UDP), u16(MAP_EXT_PORT, 0),
         addr(MAP_INT_ADDR, "10.0.1.2"), u16(MAP_INT_PORT, 1))),
    ("forward port given twice", FORWARD_ADD,
     fwd(u8(MAP_PROTO, UDP), u16(MAP_EXT_PORT, 4000), u16(MAP_EXT_PORT, 4001),
         addr(MAP_INT_ADDR, "10.0.1.2"), u16(MAP_INT_PORT, 1))),
    ("forward given twice", FORWARD_ADD,
     fwd(u8(MAP_PROTO, UDP), u16(MAP_EXT_PORT, 4000),
         addr(MAP_INT_ADDR, "10.0.1.2"), u16(MAP_INT_PORT, 1)) * 2),
    ("forwards list holding an address", SET,
     attr(A_FORWARDS, [addr(A_EXT_ADDR, "10.0.1.2")])),
    ("forwards list with a forward without port", SET,
     attr(A_FORWARDS, [fwd(u8(MAP_PROTO, UDP), addr(MAP_INT_ADDR, "10.0.1.2"),
                           u16(MAP_INT_PORT, 1))])),
    ("two forwards of one port", SET,
     attr(A_FORWARDS, [fwd(u8(MAP_PROTO, UDP), u16(MAP_EXT_PORT, 4000),
                           addr(MAP_INT_ADDR, "10.0.1.%d" % h),
                           u16(MAP_INT_PORT, 1)) for h in (2, 3)])),
    ("65 forwards", SET,
     attr(A_FORWARDS, [fwd(u8(MAP_PROTO, UDP), u16(MAP_EXT_PORT, 4000 + i),
                           addr(MAP_INT_ADDR, "10.0.1.2"),
                           u16(MAP_INT_PORT, 4000 + i)) for i in range(65)])),
    ("forwards list given twice", SET,
     attr(A_FORWARDS, []) + attr(A_FORWARDS, [])),
    ("flush of GRE", FLUSH, u8(A_PROTO, GRE)),
    ("flush protocol as u32", FLUSH, u32(A_PROTO, UDP)),
    ("flush protocol given twice", FLUSH, u8(A_PROTO, UDP) + u8(A_PROTO, TCP)),
    ("dump filter of the wrong size", GET_MAPPINGS, u32(A_PROTO, UDP),
     NLM_F_DUMP),
    # Each command takes only its own attributes.
    ("a forward in a configuration change", SET,
     fwd(u8(MAP_PROTO, UDP), u16(MAP_EXT_PORT, 4000),
         addr(MAP_INT_ADDR, "10.0.1.2"), u16(MAP_INT_PORT, 1))),
    ("a timeout in a forward", FORWARD_ADD,
     fwd(u8(MAP_PROTO, UDP), u16(MAP_EXT_PORT, 4001),
         addr(MAP_INT_ADDR, "10.0.1.2"), u16(MAP_INT_PORT, 1)) +
     u32(A_TIMEOUT_UDP, 300)),
    ("an interface in a flush", FLUSH, attr(A_IFNAME, b"wan0\0")),
    ("a flush flag in a dump", GET_MAPPINGS, attr(A_STATIC, b""), NLM_F_DUMP),
    ("a filter in get", GET, u8(A_PROTO, UDP)),
    ("an address filter in stats", GET_STATS, addr(A_INT_ADDR, "10.0.1.2")),
    # Last: accepted, it would take the instance down.
    ("an interface in down", DOWN, attr(A_IFNAME, b"wan0\0")),
]


def hostile():
    nl = Genl()
    bad = 0
    for n, case in enumerate(CASES, 1):
        name, cmd, attrs = case[:3]
        flags = NLM_F_ACK | (case[3] if len(case) > 3 else 0)
        err, msg, _ = nl.talk(nl.family, cmd, attrs, flags)
        good = err != 0 and msg != ""
        bad += not good
        print("%s %d - %s: %s%s" % (
            "ok" if good else "not ok", n, name,
            os.strerror(err) if err else "accepted",
            ", \"%s\"" % msg if msg else ", no message"))
    return 1 if bad else 0


CHANGE = fwd(u8(MAP_PROTO, UDP), u16(MAP_EXT_PORT, 40000),
             addr(MAP_INT_ADDR, "10.0.9.9"), u16(MAP_INT_PORT, 9))


def dump(change):
    nl, other = Genl(), Genl()
    nl.seq += 1
    body = struct.pack("=BBH", GET_MAPPINGS, 1, 0)
    nl.s.send(struct.pack("=IHHII", 16 + len(body), nl.family,
                          NLM_F_REQUEST | NLM_F_DUMP, nl.seq, 0) + body)
    parts = entries = 0
    intr = done = False
    while not done:
        data = nl.s.recv(65536)
        parts += 1
        off = 0
        while off + 16 <= len(data):
            mlen, mtype, flags, _, _ = struct.unpack_from("=IHHII", data, off)
            off += (mlen + 3) & ~3
            intr |= bool(flags & NLM_F_DUMP_INTR)
            if mtype == NLMSG_ERROR:
                sys.exit("dump refused")
            done = mtype == NLMSG_DONE
            entries += mtype == nl.family
        if change and parts == 1:
            # The kernel made part 2 while part 1 was read: part 3 is
            # the first made after the change.
            err, msg, _ = other.talk(other.family, FORWARD_ADD, CHANGE)
            if err:
                sys.exit("forward add: %s %s" % (os.strerror(err), msg))
    if change:
        other.talk(other.family, FORWARD_DEL, CHANGE)
    print("parts %d entries %d interrupted %s" % (
        parts, entries, "yes" if intr else "no"))
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "hostile":
        return hostile()
    if len(argv) in (2, 3) and argv[1] == "dump" and argv[2:] in ([], ["change"]):
        return dump(len(argv) == 3)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
