#!/usr/bin/env python3
"""Where a running agent's resident memory is: VmRSS split into anonymous and file pages, then
the binary's resident pages by section and, for .text, by the module of the code in them.

usage: bench/footprint.py PID [BINARY]   (root: /proc/PID/pagemap)

Resident pages of the binary come from /proc/PID/maps and /proc/PID/pagemap (bit 63: present);
sections and program headers from `readelf -SlW`, symbols from `nm -n --defined-only`. A page of
.text counts for the modules of the symbols it holds, byte by byte. Swift symbols are told apart
by their mangled module name ($s<len><Module>); the rest by prefix (BoringSSL, ICU's C++, the
Swift runtime, libyaml), else "other C". The kernel maps file pages around each fault (64 KB by
default), so resident code is more than the code that ran.
"""
import bisect
import re
import struct
import subprocess
import sys
from collections import defaultdict

PAGE = 4096


def status(pid):
    fields = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def sections(binary):
    out = subprocess.run(["readelf", "-SlW", binary], capture_output=True, text=True, check=True).stdout
    secs, loads = [], []
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m and m.group(1) != "NULL":
            secs.append((m.group(1), int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16)))
        m = re.match(r"\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)", line)
        if m:
            loads.append((int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16)))
    return secs, loads


def resident_offsets(pid, binary):
    """File offsets (page-aligned) of the binary's present pages."""
    real = subprocess.run(["readlink", "-f", binary], capture_output=True, text=True).stdout.strip()
    offsets = set()
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in open(f"/proc/{pid}/maps"):
            parts = line.split()
            if len(parts) < 6 or parts[5] != real:
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            offset = int(parts[2], 16)
            pagemap.seek(start // PAGE * 8)
            data = pagemap.read((end - start) // PAGE * 8)
            for i in range(len(data) // 8):
                (entry,) = struct.unpack_from("<Q", data, i * 8)
                if entry >> 63:
                    offsets.add(offset + i * PAGE)
    return offsets


def module(name):
    if name.startswith("$s"):
        m = re.match(r"\$s(\d+)([A-Za-z_][A-Za-z0-9_]*)", name)
        if m:
            return m.group(2)[: int(m.group(1))]
        return "Swift (stdlib)"
    for prefix, label in (("CCryptoBoringSSL", "BoringSSL"), ("_ZN6icu_", "ICU"), ("swift_", "Swift runtime"),
                          ("_swift", "Swift runtime"), ("yaml_", "libyaml"), ("_ZN5swift", "Swift runtime")):
        if name.startswith(prefix):
            return label
    return "other C/C++"


def main():
    pid = int(sys.argv[1])
    binary = sys.argv[2] if len(sys.argv) > 2 else f"/proc/{pid}/exe"
    binary = subprocess.run(["readlink", "-f", binary], capture_output=True, text=True).stdout.strip()
    st = status(pid)
    print("VmRSS %.1f MB = anonymous %.1f + file %.1f (+ shmem %.1f); peak %.1f MB" % (
        st["VmRSS"], st["RssAnon"], st["RssFile"], st.get("RssShmem", 0), st["VmHWM"]))
    import os
    print("binary %s: %.1f MB" % (binary, os.path.getsize(binary) / 2**20))
    secs, loads = sections(binary)
    present = resident_offsets(pid, binary)
    print("\nsection           resident / size (MB)")
    text = None
    for name, addr, off, size in secs:
        if size == 0 or name.startswith(".debug") or name in (".comment", ".symtab", ".strtab", ".shstrtab"):
            continue
        pages = [p for p in present if p < off + size and p + PAGE > off]
        resident = sum(min(p + PAGE, off + size) - max(p, off) for p in pages)
        if resident > 64 * 1024 or size > 1024 * 1024:
            print("%-16s %6.1f / %6.1f" % (name, resident / 2**20, size / 2**20))
        if name == ".text":
            text = (addr, off, size)
    if not text:
        return
    addr, off, size = text
    symbols = []
    out = subprocess.run(["nm", "-n", "--defined-only", binary], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            value = int(parts[0], 16)
            if addr <= value < addr + size:
                symbols.append((value, parts[2]))
    starts = [s[0] for s in symbols]
    by_module = defaultdict(int)
    all_module = defaultdict(int)
    for i, (value, name) in enumerate(symbols):
        end = symbols[i + 1][0] if i + 1 < len(symbols) else addr + size
        all_module[module(name)] += end - value
    for page in present:
        lo, hi = max(page, off), min(page + PAGE, off + size)
        if lo >= hi:
            continue
        vlo, vhi = addr + (lo - off), addr + (hi - off)
        i = max(bisect.bisect_right(starts, vlo) - 1, 0)
        while i < len(symbols) and symbols[i][0] < vhi:
            end = symbols[i + 1][0] if i + 1 < len(symbols) else addr + size
            overlap = min(end, vhi) - max(symbols[i][0], vlo)
            if overlap > 0:
                by_module[module(symbols[i][1])] += overlap
            i += 1
    print("\n.text by module   resident / size (MB)")
    for name, resident in sorted(by_module.items(), key=lambda kv: -kv[1])[:20]:
        print("%-24s %6.2f / %6.2f" % (name, resident / 2**20, all_module[name] / 2**20))


if __name__ == "__main__":
    main()
