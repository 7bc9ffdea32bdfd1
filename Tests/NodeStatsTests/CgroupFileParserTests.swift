import Testing

@testable import NodeStats

@Suite("Reading cgroup files")
struct CgroupFileParserTests {
    @Test("a key-value file reads tabs, extra blanks and a missing last newline, and skips a line whose value is not a number")
    func keyedValues() {
        let text = "cache 4096\n  rss\t\t8192 \nweird -1\nlonely\n\ntotal_rss_huge 2097152\ntotal_rss 12288"
        #expect(
            KeyedValues(parsing: text).values == ["cache": 4096, "rss": 8192, "total_rss_huge": 2_097_152, "total_rss": 12288])
    }

    @Test("with keys, only those keys are kept, none of another key that begins the same")
    func keyedValuesOfSomeKeys() {
        let text = "total_rss_huge 2097152\ntotal_rss 12288\ntotal_cache 4096\nrss 1\n"
        #expect(KeyedValues(parsing: text, keys: ["total_rss", "total_swap"]).values == ["total_rss": 12288])
    }

    @Test("cgroup v1 gives cpuacct usage in ns, user and system ticks as ns, and CFS throttling")
    func v1CPU() throws {
        let stats = CgroupFileParser.v1 { Fixture.V1.files[$0] }
        let cpu = try #require(stats.cpu)
        #expect(cpu.usageNanoseconds == 2_500_000_000)
        #expect(cpu.userNanoseconds == 1_800_000_000)
        #expect(cpu.systemNanoseconds == 700_000_000)
        #expect(cpu.throttling == CPUThrottling(periods: 120, throttledPeriods: 15, throttledNanoseconds: 1_500_000_000))
        #expect(stats.spec == ResourceSpec(cpuShares: 1024, cpuPeriodMicroseconds: 100_000, cpuQuotaMicroseconds: nil))
    }

    @Test("cgroup v1 memory: usage, working set = usage − total_inactive_file, total_rss, total_cache, the limit, failcnt and faults")
    func v1Memory() throws {
        let memory = try #require(CgroupFileParser.v1 { Fixture.V1.files[$0] }.memory)
        #expect(memory.usageBytes == 4_096_000)
        #expect(memory.workingSetBytes == 4_096_000 - 1_925_120)
        #expect(memory.rssBytes == 53_248)
        #expect(memory.cacheBytes == 1_970_176)
        #expect(memory.mappedFileBytes == 1_302_528)
        #expect(memory.limitBytes == 67_108_864)
        #expect(memory.availableBytes == 67_108_864 - (4_096_000 - 1_925_120))
        #expect(memory.failcnt == 3)
        #expect(memory.pageFaults == 1074)
        #expect(memory.majorPageFaults == 2)
        #expect(memory.oomKills == 1)
    }

    @Test("a v1 limit of 2^63 rounded to pages means no limit, and no availableBytes")
    func v1Unlimited() throws {
        var files = Fixture.V1.files
        files["memory.limit_in_bytes"] = Fixture.V1.unlimited
        let memory = try #require(CgroupFileParser.v1 { files[$0] }.memory)
        #expect(memory.limitBytes == nil)
        #expect(memory.availableBytes == nil)
    }

    @Test("cgroup v2 gives usage_usec × 1000, user and system, throttled_usec × 1000, and cpu.max's quota")
    func v2CPU() throws {
        let stats = CgroupFileParser.v2 { Fixture.V2.files[$0] }
        let cpu = try #require(stats.cpu)
        #expect(cpu.usageNanoseconds == 3_000_000_000)
        #expect(cpu.userNanoseconds == 2_000_000_000)
        #expect(cpu.systemNanoseconds == 1_000_000_000)
        #expect(cpu.throttling == CPUThrottling(periods: 50, throttledPeriods: 5, throttledNanoseconds: 250_000_000))
        // The kernel's default weight 100 is 2597 shares by runc's formula, as cAdvisor reports it.
        #expect(stats.spec == ResourceSpec(cpuShares: 2597, cpuPeriodMicroseconds: 100_000, cpuQuotaMicroseconds: 50_000))
    }

    @Test("cgroup v2 memory: memory.current, working set = current − inactive_file, anon as rss, file as cache, max as no limit")
    func v2Memory() throws {
        let memory = try #require(CgroupFileParser.v2 { Fixture.V2.files[$0] }.memory)
        #expect(memory.usageBytes == 10_485_760)
        #expect(memory.workingSetBytes == 10_485_760 - 3_145_728)
        #expect(memory.rssBytes == 6_291_456)
        #expect(memory.cacheBytes == 4_194_304)
        #expect(memory.mappedFileBytes == 1_048_576)
        #expect(memory.limitBytes == nil)
        #expect(memory.availableBytes == nil)
        #expect(memory.failcnt == 4)
        #expect(memory.pageFaults == 2000)
        #expect(memory.majorPageFaults == 7)
        #expect(memory.oomKills == 1)
    }

    @Test("a working set never goes below zero when inactive_file exceeds usage")
    func workingSetFloor() {
        #expect(MemoryStats(usageBytes: 100, inactiveFileBytes: 200).workingSetBytes == 0)
        #expect(MemoryStats(usageBytes: 100, inactiveFileBytes: 0, limitBytes: 50).availableBytes == 0)
    }

    @Test("a cgroup whose files are gone reads as neither CPU nor memory")
    func missingFiles() {
        #expect(CgroupFileParser.v1 { _ in nil } == CgroupStats())
        #expect(CgroupFileParser.v2 { _ in nil } == CgroupStats())
    }
}

@Suite("Reading procfs files")
struct ProcFilesTests {
    @Test("net/dev gives every interface's counters; loopback, veths and docker bridges are not reported")
    func netDev() {
        let interfaces = ProcNetDev.parse(Fixture.netDev + "  veth12ab:  5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n")
        #expect(interfaces.map(\.name) == ["lo", "eth0", "veth12ab"])
        #expect(
            ProcNetDev.reported(interfaces) == [
                NetworkInterfaceStats(
                    name: "eth0", rxBytes: 90210, rxPackets: 120, rxErrors: 1, rxDropped: 2, txBytes: 45000, txPackets: 80, txErrors: 3,
                    txDropped: 4)
            ])
    }

    @Test("meminfo gives the node's usage as MemTotal − MemFree and its working set without Inactive(file)")
    func meminfo() throws {
        let memory = try #require(Meminfo.memoryStats(Fixture.meminfo))
        #expect(memory.usageBytes == 6_000_000 * 1024)
        #expect(memory.workingSetBytes == 4_500_000 * 1024)
        #expect(memory.availableBytes == 3_500_000 * 1024)
        #expect(memory.rssBytes == 2_400_000 * 1024)
    }

    @Test("/proc/stat gives the boot time and busy CPU ticks as nanoseconds; loadavg gives the task count")
    func statAndLoadavg() {
        #expect(ProcFiles.bootTime(stat: Fixture.procStat)?.timeIntervalSince1970 == 1_764_700_000)
        #expect(ProcFiles.cpu(stat: Fixture.procStat)?.usageNanoseconds == (1000 + 20 + 300 + 5) * 10_000_000)
        #expect(ProcFiles.taskCount(loadavg: "0.52 0.48 0.40 2/731 12345\n") == 731)
    }
}

@Suite("Finding a container's cgroup")
struct CgroupLocationTests {
    @Test("on a hybrid v1 host the cpu, cpuacct and memory directories come from each hierarchy's mount")
    func v1Hybrid() throws {
        let mounts = CgroupMounts(parsingMountinfo: Fixture.V1.mountinfo)
        #expect(mounts.version == .v1)
        let location = try #require(CgroupLocation.of(ProcessCgroups(parsing: Fixture.V1.processCgroup), mounts: mounts))
        #expect(location.name == "/docker/8ae3cf761e46")
        #expect(
            location.directories
                == .v1(
                    cpu: "/sys/fs/cgroup/cpu/docker/8ae3cf761e46", cpuacct: "/sys/fs/cgroup/cpuacct/docker/8ae3cf761e46",
                    memory: "/sys/fs/cgroup/memory/docker/8ae3cf761e46"))
        #expect(CgroupLocation.root(mounts: mounts)?.directories == .v1(cpu: "/sys/fs/cgroup/cpu", cpuacct: "/sys/fs/cgroup/cpuacct", memory: "/sys/fs/cgroup/memory"))
    }

    @Test("co-mounted cpu,cpuacct share one directory")
    func coMounted() throws {
        let mounts = CgroupMounts(
            parsingMountinfo: """
                38 33 0:33 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
                40 33 0:35 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
                """)
        let location = try #require(CgroupLocation.of(ProcessCgroups(parsing: "4:memory:/docker/a\n2:cpu,cpuacct:/docker/a\n"), mounts: mounts))
        #expect(
            location.directories
                == .v1(cpu: "/sys/fs/cgroup/cpu,cpuacct/docker/a", cpuacct: "/sys/fs/cgroup/cpu,cpuacct/docker/a", memory: "/sys/fs/cgroup/memory/docker/a"))
    }

    @Test("on a v2 host with the systemd driver the container's scope is one directory under the unified mount")
    func v2Systemd() throws {
        let mounts = CgroupMounts(parsingMountinfo: Fixture.V2.mountinfo)
        #expect(mounts.version == .v2)
        let location = try #require(CgroupLocation.of(ProcessCgroups(parsing: Fixture.V2.processCgroup), mounts: mounts))
        #expect(location == CgroupLocation(name: "/system.slice/docker-4f1c2a.scope", directories: .v2("/sys/fs/cgroup/system.slice/docker-4f1c2a.scope")))
    }

    @Test("a mount of a sub-tree (a cgroup namespace) strips its root from the process's path")
    func mountRoot() {
        let mount = CgroupMounts.Mount(mountPoint: "/sys/fs/cgroup", root: "/kubepods")
        #expect(mount.directory(of: "/kubepods/pod1/abc") == "/sys/fs/cgroup/pod1/abc")
        #expect(mount.directory(of: "/") == "/sys/fs/cgroup")
    }
}
