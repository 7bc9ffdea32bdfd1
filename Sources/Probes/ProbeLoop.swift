import NIOCore
import NIOPosix

/// The one event loop that times, runs and records the node's probes: the probe manager's actor
/// runs on it, its clock wakes on it, and HTTP and TCP probes connect and read on it, so a
/// probe run that changes nothing never leaves that thread (no timer thread, no worker pool and
/// back, as a probe through Swift's global pool and a blocking HTTP client costs).
public enum ProbeLoop {
    /// A loop of NIO's shared group, which the node server uses as well; chosen once.
    public static let shared: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()
}
