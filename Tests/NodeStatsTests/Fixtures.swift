/// File texts as the kernel writes them, taken from a Docker container on a cgroup v1 host
/// (kernel 5.x, cgroupfs driver) and from a cgroup v2 host (systemd driver).
enum Fixture {
    enum V1 {
        static let cpuacctUsage = "2500000000\n"
        static let cpuacctStat = "user 180\nsystem 70\n"
        static let cpuStat = "nr_periods 120\nnr_throttled 15\nthrottled_time 1500000000\nnr_bursts 0\nburst_time 0\n"
        static let cpuShares = "1024\n"
        static let cfsPeriod = "100000\n"
        static let cfsQuotaNone = "-1\n"
        static let usageInBytes = "4096000\n"
        static let limitInBytes = "67108864\n"
        static let unlimited = "9223372036854771712\n"
        static let failcnt = "3\n"
        static let oomControl = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n"
        static let memoryStat = """
            cache 1970176
            rss 53248
            rss_huge 0
            shmem 0
            mapped_file 1302528
            dirty 0
            writeback 0
            swap 0
            pgpgin 1248
            pgpgout 754
            pgfault 1074
            pgmajfault 2
            inactive_anon 49152
            active_anon 4096
            inactive_file 1925120
            active_file 45056
            unevictable 0
            hierarchical_memory_limit 67108864
            hierarchical_memsw_limit 134217728
            total_cache 1970176
            total_rss 53248
            total_rss_huge 0
            total_shmem 0
            total_mapped_file 1302528
            total_dirty 0
            total_writeback 0
            total_swap 0
            total_pgpgin 1248
            total_pgpgout 754
            total_pgfault 1074
            total_pgmajfault 2
            total_inactive_anon 49152
            total_active_anon 4096
            total_inactive_file 1925120
            total_active_file 45056
            total_unevictable 0

            """

        static var files: [String: String] {
            [
                "cpuacct.usage": cpuacctUsage, "cpuacct.stat": cpuacctStat, "cpu.stat": cpuStat, "cpu.shares": cpuShares,
                "cpu.cfs_period_us": cfsPeriod, "cpu.cfs_quota_us": cfsQuotaNone, "memory.usage_in_bytes": usageInBytes,
                "memory.limit_in_bytes": limitInBytes, "memory.failcnt": failcnt, "memory.stat": memoryStat,
                "memory.oom_control": oomControl,
            ]
        }

        /// A hybrid host: v1 controllers (cpu and cpuacct mounted apart), an empty `unified` mount.
        static let mountinfo = """
            24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            33 24 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            34 33 0:29 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
            35 33 0:30 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
            38 33 0:33 / /sys/fs/cgroup/cpu rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu
            39 33 0:34 / /sys/fs/cgroup/cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpuacct
            40 33 0:35 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory

            """

        static let processCgroup = """
            9:name=systemd:/docker/8ae3cf761e46
            4:memory:/docker/8ae3cf761e46
            2:cpuacct:/docker/8ae3cf761e46
            1:cpu:/docker/8ae3cf761e46
            0::/docker/8ae3cf761e46

            """
    }

    enum V2 {
        static let cpuStat = """
            usage_usec 3000000
            user_usec 2000000
            system_usec 1000000
            nr_periods 50
            nr_throttled 5
            throttled_usec 250000

            """
        static let cpuWeight = "100\n"
        static let cpuMax = "50000 100000\n"
        static let memoryCurrent = "10485760\n"
        static let memoryMax = "max\n"
        static let memoryEvents = "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n"
        static let memoryStat = """
            anon 6291456
            file 4194304
            kernel_stack 16384
            shmem 0
            file_mapped 1048576
            file_dirty 0
            inactive_anon 0
            active_anon 6291456
            inactive_file 3145728
            active_file 1048576
            pgfault 2000
            pgmajfault 7

            """

        static var files: [String: String] {
            [
                "cpu.stat": cpuStat, "cpu.weight": cpuWeight, "cpu.max": cpuMax, "memory.current": memoryCurrent,
                "memory.max": memoryMax, "memory.events": memoryEvents, "memory.stat": memoryStat, "memory.swap.current": "0\n",
            ]
        }

        static let mountinfo = """
            24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            33 24 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot

            """

        static let processCgroup = "0::/system.slice/docker-4f1c2a.scope\n"
    }

    static let netDev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
          eth0:   90210     120    1    2    0     0          0         0    45000      80    3    4    0     0       0          0

        """

    static let meminfo = """
        MemTotal:        8000000 kB
        MemFree:         2000000 kB
        MemAvailable:    5000000 kB
        Buffers:          100000 kB
        Cached:          2500000 kB
        Inactive(file):  1500000 kB
        AnonPages:       2400000 kB
        Mapped:           300000 kB
        SwapTotal:             0 kB
        SwapFree:              0 kB

        """

    static let procStat = """
        cpu  1000 20 300 50000 10 0 5 0 0 0
        cpu0 1000 20 300 50000 10 0 5 0 0 0
        btime 1764700000

        """
}
