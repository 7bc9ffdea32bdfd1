#!/usr/bin/env python3
"""The slots layout of bench/nft-layout.sh: N services without any per-service chain.

usage: gen_slots.py N [K]    (nft -f input on stdout; addresses as in gen.py)

One map svc-backends from (cluster IP . proto . port . slot) to (endpoint IP . port) with K
slots per service (default 4) filled round-robin with its 2 endpoints; the services chain dnats
`to ip daddr . meta l4proto . th dport . numgen random mod K map @svc-backends`. Sets hold the
cluster IPs (for the masquerade mark), the hairpin pairs (endpoint . endpoint, masqueraded in
postrouting) and the services without endpoints. 7 chains, whatever N; updating a service's
endpoints is replacing its K elements.
"""
import sys

if len(sys.argv) not in (2, 3):
    sys.exit(__doc__)
N = int(sys.argv[1])
K = int(sys.argv[2]) if len(sys.argv) > 2 else 4


def ip(i, base):
    return f"{base}.{(i >> 8) & 255}.{i & 255}"


backends, svc_ips, hairpin, no_ep = [], [], [], []
for i in range(N):
    vip, eps = f"{ip(i, '10.96')} . tcp . 80", [ip(i, "10.244"), ip(i, "10.245")]
    svc_ips.append(vip)
    backends += [f"{vip} . {k} : {eps[k % len(eps)]} . 8080" for k in range(K)]
    hairpin += [f"{e} . {e}" for e in eps]
    if i % 10 == 0:
        no_ep.append(f"{ip(i, '10.97')} . tcp . 80")

key = "ip daddr . meta l4proto . th dport"
print(f"""table ip kp {{
 map svc-backends {{ typeof {key} . numgen random mod {K} : ip daddr . th dport; elements = {{ {", ".join(backends)} }}; }}
 set svc-ips {{ typeof {key}; elements = {{ {", ".join(svc_ips)} }}; }}
 set hairpin {{ typeof ip saddr . ip daddr; elements = {{ {", ".join(hairpin)} }}; }}
 set no-endpoint-services {{ typeof {key}; elements = {{ {", ".join(no_ep)} }}; }}
 chain mark-for-masquerade {{ meta mark set meta mark or 0x4000; }}
 chain reject-chain {{ reject; }}
 chain services {{ {key} @svc-ips ip saddr != 10.244.0.0/16 jump mark-for-masquerade;
   {key} @svc-ips dnat ip to {key} . numgen random mod {K} map @svc-backends; }}
 chain nat-prerouting {{ type nat hook prerouting priority dstnat; jump services; }}
 chain nat-output {{ type nat hook output priority -100; jump services; }}
 chain masquerading {{ type nat hook postrouting priority srcnat; ct status dnat ip saddr . ip daddr @hairpin masquerade;
   meta mark & 0x4000 == 0 return; meta mark set meta mark xor 0x4000; masquerade fully-random; }}
 chain filter-input {{ type filter hook input priority -110; {key} @no-endpoint-services jump reject-chain; }}
}}""")
