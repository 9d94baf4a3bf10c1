public import QueuePort

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// Thin, throwing wrappers over the system calls the spool makes; every path is absolute.
enum FileSystem {
  /// Creates `path` (mode 0750) unless it exists as a directory.
  static func makeDirectory(_ path: String) throws(QueueError) {
    if mkdir(path, 0o750) == 0 { return }
    let code = errno
    guard code == EEXIST, isDirectory(path) else { throw .system(operation: "mkdir", path: path, errno: code) }
  }

  /// Whether `path` names a directory (following links).
  static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  /// Whether `path` exists.
  static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  /// Modification time of `path` in milliseconds since the epoch, or nil when it is gone.
  static func modificationMillis(_ path: String) -> Int64? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
  }

  /// Opens a directory for `fsync` and `*at` calls.
  static func openDirectory(_ path: String) throws(QueueError) -> Int32 {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
    return descriptor
  }

  /// Flushes a directory's entries to stable storage (the step `rename` alone does not give).
  static func syncDirectory(_ descriptor: Int32, path: String) throws(QueueError) {
    guard fsync(descriptor) == 0 else { throw .system(operation: "fsync", path: path, errno: errno) }
  }

  /// Creates `name` in the directory `directory` (which must not hold it), writes `parts` and fsyncs it.
  static func writeNewFile(
    directory: Int32, name: String, parts: [[UInt8]], displayPath: String, sync: Bool = true
  ) throws(QueueError) {
    let descriptor = openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
    guard descriptor >= 0 else { throw .system(operation: "create", path: displayPath, errno: errno) }
    var failure: QueueError?
    for part in parts where failure == nil {
      failure = part.withUnsafeBytes { raw -> QueueError? in
        guard var base = raw.baseAddress else { return nil }
        var remaining = raw.count
        while remaining > 0 {
          let written = write(descriptor, base, remaining)
          if written < 0 {
            if errno == EINTR { continue }
            return .system(operation: "write", path: displayPath, errno: errno)
          }
          remaining -= written
          base += written
        }
        return nil
      }
    }
    if failure == nil, sync, fsync(descriptor) != 0 {
      failure = .system(operation: "fsync", path: displayPath, errno: errno)
    }
    close(descriptor)
    if let failure {
      unlinkat(directory, name, 0)
      throw failure
    }
  }

  /// Renames `from` in `fromDirectory` to `to` in `toDirectory`; false when the source is gone (ENOENT).
  static func rename(
    _ fromDirectory: Int32, _ from: String, _ toDirectory: Int32, _ to: String, displayPath: String
  ) throws(QueueError) -> Bool {
    if renameat(fromDirectory, from, toDirectory, to) == 0 { return true }
    let code = errno
    if code == ENOENT { return false }
    throw .system(operation: "rename", path: displayPath, errno: code)
  }

  /// Removes `name` from `directory`; false when it was already gone.
  static func remove(_ directory: Int32, _ name: String, displayPath: String) throws(QueueError) -> Bool {
    if unlinkat(directory, name, 0) == 0 { return true }
    let code = errno
    if code == ENOENT { return false }
    throw .system(operation: "unlink", path: displayPath, errno: code)
  }

  /// Reads the whole of `name` in `directory`, refusing files over `limit` bytes; nil when it is gone.
  /// Only a regular file is read: the open never blocks (a FIFO with no writer would), and
  /// anything else throws `notRegularFile`.
  static func readFile(
    _ directory: Int32, _ name: String, limit: Int, displayPath: String
  ) throws(QueueError)
    -> [UInt8]?
  {
    let descriptor = openat(directory, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    if descriptor < 0 {
      let code = errno
      if code == ENOENT { return nil }
      var info = stat()
      if fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_mode & S_IFMT != S_IFREG {
        throw .notRegularFile(path: displayPath, kind: fileKind(info.st_mode))  // a socket cannot be opened
      }
      throw .system(operation: "open", path: displayPath, errno: code)
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw .system(operation: "fstat", path: displayPath, errno: errno) }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw .notRegularFile(path: displayPath, kind: fileKind(info.st_mode))
    }
    var bytes = [UInt8](repeating: 0, count: 4096)
    var filled = 0
    while true {
      if filled == bytes.count {
        if bytes.count > limit { break }
        bytes.append(contentsOf: repeatElement(0, count: bytes.count))
      }
      let count = bytes.withUnsafeMutableBytes { raw in read(descriptor, raw.baseAddress! + filled, raw.count - filled)
      }
      if count < 0 {
        if errno == EINTR { continue }
        throw .system(operation: "read", path: displayPath, errno: errno)
      }
      if count == 0 { break }
      filled += count
    }
    return Array(bytes[0..<min(filled, limit + 1)])
  }

  /// What a `st_mode` names, in words.
  static func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: "directory"
    case S_IFIFO: "FIFO"
    case S_IFSOCK: "socket"
    case S_IFCHR: "character device"
    case S_IFBLK: "block device"
    case S_IFLNK: "symbolic link"
    default: "special file"
    }
  }

  /// The names in a directory other than `.` and `..`, unsorted.
  static func list(_ path: String) throws(QueueError) -> [String] {
    guard let stream = opendir(path) else { throw .system(operation: "opendir", path: path, errno: errno) }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
      let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
        pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// The host name, for unique message names on shared file systems.
  static func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  }
}
