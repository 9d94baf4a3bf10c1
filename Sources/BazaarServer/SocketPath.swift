#if canImport(Glibc)
  internal import Glibc
#endif

/// What is at the path a Unix socket should be bound to (kept apart from NIO, whose C module
/// also declares `stat`).
enum SocketPath {
  /// Whether nothing is at `path`, or a socket is (one a stopped process left may be replaced).
  static func isFreeOrASocket(_ path: String) -> Bool {
    var existing = stat()
    return lstat(path, &existing) != 0 || existing.st_mode & S_IFMT == S_IFSOCK
  }
}
