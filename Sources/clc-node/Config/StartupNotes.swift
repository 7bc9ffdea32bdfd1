import Synchronization

/// Warnings found while the command line was put together (the `--config` file's unused
/// fields), before logging is set up: `run` logs them once it is.
enum StartupNotes {
    static let warnings = Mutex<[String]>([])
}
