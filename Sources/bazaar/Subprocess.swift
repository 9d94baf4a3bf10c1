internal import Foundation

#if canImport(Glibc)
  internal import Glibc
#endif

/// Runs a program with `posix_spawn`, feeds it stdin and collects stdout, with no run loop:
/// Foundation's `Process.waitUntilExit` on Linux polls its run loop every 50 ms, which would
/// swamp a measurement of a few-millisecond process.
enum Subprocess {
  /// The exit status and standard output of `executable arguments…` given `input` on stdin;
  /// stderr goes to /dev/null. Throws when the program cannot be started.
  static func run(
    _ executable: String, _ arguments: [String], input: [UInt8]
  ) throws -> (status: Int32, output: [UInt8]) {
    var stdinPipe: [Int32] = [0, 0]
    var stdoutPipe: [Int32] = [0, 0]
    guard pipe(&stdinPipe) == 0, pipe(&stdoutPipe) == 0 else { throw SubprocessError(reason: "pipe: errno \(errno)") }
    // The child gets only its dup2'ed copies (0, 1); these ends must not leak into it.
    for fd in stdinPipe + stdoutPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    close(stdinPipe[0])
    close(stdoutPipe[1])
    guard spawned == 0 else {
      close(stdinPipe[1])
      close(stdoutPipe[0])
      throw SubprocessError(reason: "posix_spawn \(executable): error \(spawned)")
    }
    var output: [UInt8] = []
    var written = 0
    var descriptors = [
      pollfd(fd: stdinPipe[1], events: Int16(POLLOUT), revents: 0),
      pollfd(fd: stdoutPipe[0], events: Int16(POLLIN), revents: 0),
    ]
    if input.isEmpty {
      close(stdinPipe[1])
      descriptors[0].fd = -1
    }
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while descriptors[1].fd >= 0 {
      guard poll(&descriptors, 2, -1) >= 0 || errno == EINTR else { break }
      if descriptors[0].fd >= 0 && descriptors[0].revents != 0 {
        let count = input.withUnsafeBytes { write(descriptors[0].fd, $0.baseAddress! + written, $0.count - written) }
        if count > 0 { written += count }
        if count <= 0 || written == input.count {
          close(descriptors[0].fd)
          descriptors[0].fd = -1
        }
      }
      if descriptors[1].revents != 0 {
        let count = read(descriptors[1].fd, &buffer, buffer.count)
        if count > 0 {
          output += buffer[0..<count]
        } else if count == 0 || errno != EINTR {
          close(descriptors[1].fd)
          descriptors[1].fd = -1
        }
      }
    }
    if descriptors[0].fd >= 0 { close(descriptors[0].fd) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exited = status & 0x7F == 0
    return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
  }
}

/// A program could not be started.
struct SubprocessError: Error, CustomStringConvertible {
  var reason: String
  var description: String { reason }
}
