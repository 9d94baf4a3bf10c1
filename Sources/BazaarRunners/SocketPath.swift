#if canImport(Glibc)
  internal import Glibc
#endif

/// What is at the path a runner's Unix socket should be bound to. (Here, not beside the NIO
/// listener: a target that links NIO sees `stat` as declared by NIO's C module.)
package enum SocketPath {
  /// Whether nothing is at `path`, or a socket is (one a stopped process left may be replaced).
  package static func isFreeOrASocket(_ path: String) -> Bool {
    var existing = stat()
    return lstat(path, &existing) != 0 || existing.st_mode & S_IFMT == S_IFSOCK
  }
}
