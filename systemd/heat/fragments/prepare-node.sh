#!/bin/sh
# clc-node minion, every boot, before cloud-config's modules: what the agent's pod network and
# service proxy expect of the kernel. (The agent turns br_netfilter's sysctl on itself when it
# can; loading the module early keeps its first start from falling back to masquerading all.)
modprobe br_netfilter 2>/dev/null || true
sysctl -q -w net.ipv4.ip_forward=1 || true
sysctl -q -w net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
