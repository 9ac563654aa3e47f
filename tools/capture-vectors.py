#!/usr/bin/env python3
"""Captures real rtnetlink replies as hex, for the codec's unit tests: a base set (bridge, veth pair,
addresses, a route, a neighbour, an extended-ack error, an ack), then "rich-" dumps after adding a
macvlan, a vxlan, a tap, a hairpin bridge port, a labelled and an IPv6 address, a route with metrics
and a multipath route.

Run as root: python3 tools/capture-vectors.py netlink-codec/src/test/resources/vectors
Everything happens in a throwaway network namespace (pnvec-<pid>) deleted at the end.
"""
import os, socket, struct, subprocess, sys

NS = "pnvec-%d" % os.getpid()
OUT = sys.argv[1]
SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_CAP_ACK = 270, 11, 10

def ip(*args):
    subprocess.run(["ip", "-n", NS] + list(args), check=True)

def request(sock, mtype, flags, body, seq):
    msg = struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, 0) + body
    sock.send(msg)
    out = b""
    while True:
        data = sock.recv(65536)
        out += data
        # stop at DONE or ERROR for our seq
        off = 0
        done = False
        while off + 16 <= len(data):
            ln, t, f, s, p = struct.unpack_from("=IHHII", data, off)
            if t in (2, 3):
                done = True
            off += (ln + 3) & ~3
        if done:
            return out

def main():
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        ip("link", "add", "br0", "type", "bridge")
        ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
        ip("link", "set", "v0", "master", "br0")
        ip("link", "set", "br0", "up"); ip("link", "set", "v0", "up"); ip("link", "set", "v1", "up")
        ip("link", "set", "v0", "alias", "podnet:abc/eth0")
        ip("addr", "add", "198.18.0.1/16", "dev", "br0")
        ip("addr", "add", "198.18.5.9/16", "dev", "v1")
        ip("route", "add", "198.19.0.0/24", "via", "198.18.0.7", "dev", "br0")
        ip("neigh", "add", "198.18.0.50", "lladdr", "02:00:00:00:00:50", "dev", "br0", "nud", "permanent")
        subprocess.run(["ip", "netns", "exec", NS, sys.executable, __file__, OUT, "--inner", ""], check=True)
        # then richer: more device kinds, a hairpin bridge port, metrics, multipath, labels, IPv6
        ip("link", "add", "mv0", "link", "v1", "type", "macvlan", "mode", "bridge")
        ip("link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "dev", "v1")
        ip("tuntap", "add", "tap0", "mode", "tap")
        ip("link", "set", "v0", "type", "bridge_slave", "hairpin", "on")
        ip("addr", "add", "198.18.9.9/24", "dev", "br0", "label", "br0:nine")
        ip("addr", "add", "fd00::9/64", "dev", "br0", "nodad")
        ip("route", "add", "198.20.0.0/24", "via", "198.18.0.7", "mtu", "1400", "advmss", "1360", "metric", "77")
        ip("route", "add", "198.20.1.0/24", "nexthop", "via", "198.18.0.7", "weight", "1",
           "nexthop", "via", "198.18.0.8", "weight", "3")
        subprocess.run(["ip", "netns", "exec", NS, sys.executable, __file__, OUT, "--inner", "rich-"], check=True)
    finally:
        subprocess.run(["ip", "netns", "del", NS])

def inner(prefix):
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
            s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
            s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
            s.bind((0, 0))
            dump = 0x300 | 1
            vectors = {
                "link-dump": request(s, 18, dump, struct.pack("=BxHiII", 0, 0, 0, 0, 0), 1),
                "addr-dump": request(s, 22, dump, struct.pack("=BBBBI", 0 if prefix else 2, 0, 0, 0, 0), 2),
                "route-dump": request(s, 26, dump, struct.pack("=BBBBBBBBI", 2, 0, 0, 0, 0, 0, 0, 0, 0), 3),
                "neigh-dump": request(s, 30, dump, struct.pack("=BxxxiHBB", 2, 0, 0, 0, 0), 6),
            }
            kind = b"no-such-kind\0"
            linkinfo = struct.pack("=HH", 4 + len(kind), 1) + kind + b"\0" * ((4 - len(kind) % 4) % 4)
            attrs = struct.pack("=HH", 4 + len(linkinfo), 18 | 0x8000) + linkinfo
            name = b"x0\0\0"
            attrs = struct.pack("=HH", 7, 3) + name + attrs
            vectors["error-extack"] = request(s, 16, 1 | 4 | 0x400 | 0x200,
                                              struct.pack("=BxHiII", 0, 0, 0, 0, 0) + attrs, 4)
            vectors["ack"] = request(s, 19, 1 | 4, struct.pack("=BxHiII", 0, 0, 1, 0, 0), 5)
            for k, v in vectors.items():
                if prefix and not k.endswith("-dump"):
                    continue
                if prefix and k == "neigh-dump":
                    continue
                with open(os.path.join(OUT, prefix + k + ".hex"), "w") as f:
                    f.write(v.hex() + "\n")

if len(sys.argv) > 3 and sys.argv[2] == "--inner":
    inner(sys.argv[3])
else:
    main()
