#!/usr/bin/env python3
"""Ruleset of N services (2 endpoints each) in one of the layouts bench/nft-layout.sh compares.

usage: gen.py LAYOUT N    (nft -f input on stdout; service I has cluster IP 10.96.I/16,
                           endpoints 10.244.I/16 and 10.245.I/16, port 80 -> 8080)

Every layout has kube-proxy's base chains (nat prerouting/output/postrouting, filter input),
mark-for-masquerade, reject-chain, and the services chain that looks up the verdict maps
service-ips (cluster IP . proto . port) and service-nodeports; no-endpoint-services holds
every 10th service.
  kube    kube-proxy's nftables mode, as clc-node programs it today: map elements
          `goto service-I`; per service a chain that marks for masquerade and picks one of its
          endpoint chains by `numgen random mod 2 vmap { 0 : goto ..., 1 : goto ... }`; per
          endpoint a chain that marks hairpin traffic and dnats. 3N + 7 chains.
  kube16  the kube layout split over 16 tables kp0..kp15 (service I in kp(I % 16)), each with
          its own base chains and maps, so one table holds about N/16 services.
  flat    per service ONE chain: the masquerade mark and
          `dnat to numgen random mod 2 map { 0 : EP1, 1 : EP2 }`; no endpoint chains. N + 7.
  chains  3N chains of one counter rule, referenced by nothing; the maps empty: the chain
          count alone, without goto verdicts.
  mapgoto the maps with kube's N elements, all `goto service-(I % 10)`: 10 target chains.
  mapacc  the maps with N elements of verdict accept (no-endpoint: drop), no chains behind.
In chains and mapacc, chain service-5 and the element 10.96.0.5 . tcp . 80 : goto service-5
exist as well, for the benchmark's goto-element batch to replace.
"""
import sys


def ip(i, base):
    return f"{base}.{(i >> 8) & 255}.{i & 255}"


def elements(xs):
    return f" elements = {{ {', '.join(xs)} }};" if xs else ""


def table(name, lay, svcs):
    """Lines of table ip NAME holding the services whose indices are in svcs."""
    o = [f"table ip {name} {{"]
    w = o.append
    w(" chain mark-for-masquerade { meta mark set meta mark or 0x4000; }")
    w(" chain masquerading { type nat hook postrouting priority srcnat; meta mark & 0x4000 == 0 return;"
      " meta mark set meta mark xor 0x4000; masquerade fully-random; }")
    w(" chain nat-prerouting { type nat hook prerouting priority dstnat; jump services; }")
    w(" chain nat-output { type nat hook output priority -100; jump services; }")
    w(" chain filter-input { type filter hook input priority -110;"
      " ip daddr . meta l4proto . th dport vmap @no-endpoint-services; }")
    w(" chain reject-chain { reject; }")

    def verdict(i):
        if lay == "mapgoto":
            return f"goto service-{i % 10}"
        if lay == "mapacc" and i != 5:
            return "accept"
        return f"goto service-{i}"

    mapped = [i for i in svcs if i == 5] if lay == "chains" else list(svcs)
    noep = "drop" if lay == "mapacc" else "goto reject-chain"
    w(" map service-ips { type ipv4_addr . inet_proto . inet_service : verdict;"
      + elements([f"{ip(i, '10.96')} . tcp . 80 : {verdict(i)}" for i in mapped]) + " }")
    w(" map service-nodeports { type inet_proto . inet_service : verdict;"
      + elements([f"tcp . {30000 + i} : {verdict(i)}" for i in mapped if i % 4 == 0 and i < 30000]) + " }")
    w(" map no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict;"
      + elements([f"{ip(i, '10.97')} . tcp . 80 : {noep}" for i in mapped if i % 10 == 0]) + " }")

    mark = f"ip daddr {{}} tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade"
    if lay == "kube":
        for i in svcs:
            w(f" chain service-{i} {{ {mark.format(ip(i, '10.96'))};"
              f" numgen random mod 2 vmap {{ 0 : goto endpoint-{i}-a, 1 : goto endpoint-{i}-b }}; }}")
            for s, base in (("a", "10.244"), ("b", "10.245")):
                ep = ip(i, base)
                w(f" chain endpoint-{i}-{s} {{ ip saddr {ep} jump mark-for-masquerade;"
                  f" meta l4proto tcp dnat to {ep}:8080; }}")
    elif lay == "flat":
        for i in svcs:
            w(f" chain service-{i} {{ {mark.format(ip(i, '10.96'))}; meta l4proto tcp dnat to"
              f" numgen random mod 2 map {{ 0 : {ip(i, '10.244')}, 1 : {ip(i, '10.245')} }}:8080; }}")
    elif lay == "chains":
        for i in range(3 * len(svcs)):
            w(f" chain c-{i} {{ ip daddr {ip(i % 65536, '10.96')} counter; }}")
    elif lay == "mapgoto":
        for i in range(10):
            w(f" chain service-{i} {{ counter; }}")
    if lay in ("chains", "mapacc"):
        w(" chain service-5 { counter; }")

    w(" chain services { ip daddr . meta l4proto . th dport vmap @service-ips;"
      " fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports; }")
    w("}")
    return o


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("kube", "kube16", "flat", "chains", "mapgoto", "mapacc"):
        sys.exit(__doc__)
    lay, n = sys.argv[1], int(sys.argv[2])
    if lay == "kube16":
        for t in range(16):
            print("\n".join(table(f"kp{t}", "kube", range(t, n, 16))))
    else:
        print("\n".join(table("kp", lay, range(n))))


main()
