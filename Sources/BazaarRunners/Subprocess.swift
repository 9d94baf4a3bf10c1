internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#endif

/// Runs a program with `posix_spawn`, feeds it stdin and collects stdout, with no run loop:
/// Foundation's `Process.waitUntilExit` on Linux polls its run loop every 50 ms, which would
/// swamp a few-millisecond process. Safe to call from several threads at once: its pipes are
/// close-on-exec before any other spawn can happen, so one child never holds another's pipe open.
package enum Subprocess {
  private static let spawnLock = Mutex(())

  /// Where the child's standard error goes.
  package enum ErrorOutput: Sendable {
    case discard
    case inherit
    /// Copied to this process's standard error as it comes, the last `bytes` kept in
    /// `Outcome.errorTail`.
    case inheritKeepingTail(bytes: Int)
  }

  /// Where the child's standard output goes.
  package enum Output: Sendable {
    /// Collected into `Outcome.output`.
    case capture
    /// This process's standard output.
    case inherit
  }

  /// How a run ended.
  package struct Outcome: Sendable {
    /// The exit status, or 128 + the signal number when a signal ended the child.
    package var status: Int32
    /// A signal ended the child (`status` is then 128 + its number).
    package var signaled = false
    package var output: [UInt8]
    /// The end of what the child wrote on standard error, with `.inheritKeepingTail`.
    package var errorTail: [UInt8] = []
    /// The child was killed because it outlived its timeout.
    package var timedOut: Bool
    /// The child wrote more than `outputLimit` bytes and was killed.
    package var outputTooLarge: Bool
  }

  /// Runs `executable` with `arguments` (its `argv[0]` is `argv0`, else `executable`) and
  /// `environment` (`NAME=value` entries; nil inherits this process's), writing `input` to its
  /// stdin. A child still running after `timeout`, or writing more than `outputLimit` bytes, is
  /// killed with SIGKILL. Signal dispositions and the signal mask are reset in the child.
  /// `whileRunning` is called at least every `interval` until the child's pipes close (to
  /// renew a lease, say). Throws when the program cannot be started.
  package static func run(
    _ executable: String, _ arguments: [String], argv0: String? = nil, environment: [String]? = nil,
    input: [UInt8], timeout: Duration? = nil, output: Output = .capture, outputLimit: Int = 64 << 20,
    errorOutput: ErrorOutput = .discard, interval: Duration = .seconds(1), whileRunning: (() -> Void)? = nil
  ) throws -> Outcome {
    var stdinPipe: [Int32] = [0, 0]
    var stdoutPipe: [Int32] = [-1, -1]
    var stderrPipe: [Int32] = [-1, -1]
    var tailLimit = 0
    if case .inheritKeepingTail(let bytes) = errorOutput { tailLimit = bytes }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var everySignal = sigset_t()
    var noSignal = sigset_t()
    sigfillset(&everySignal)
    sigemptyset(&noSignal)
    posix_spawnattr_setsigdefault(&attributes, &everySignal)
    posix_spawnattr_setsigmask(&attributes, &noSignal)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    let argv = ([argv0 ?? executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let envp = environment.map { $0.map { strdup($0) } + [nil] }
    defer { envp?.forEach { free($0) } }
    var pid: pid_t = 0
    // Glibc's Swift module lacks pipe2(O_CLOEXEC): pipes are made close-on-exec under a lock
    // that every spawn takes too, so no child inherits another run's pipe ends.
    let spawned: Int32 = try spawnLock.withLock { _ in
      guard pipe(&stdinPipe) == 0 else { throw SubprocessError(reason: "pipe: errno \(errno)") }
      guard output == .inherit || pipe(&stdoutPipe) == 0, tailLimit == 0 || pipe(&stderrPipe) == 0 else {
        (stdinPipe + stdoutPipe).filter { $0 >= 0 }.forEach { close($0) }
        throw SubprocessError(reason: "pipe: errno \(errno)")
      }
      for fd in stdinPipe + stdoutPipe + stderrPipe where fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
      if stdoutPipe[1] >= 0 { posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1) }
      if stderrPipe[1] >= 0 { posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2) }
      if case .discard = errorOutput { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
      return if let envp {
        posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
      } else {
        posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
      }
    }
    for fd in [stdinPipe[0], stdoutPipe[1], stderrPipe[1]] where fd >= 0 { close(fd) }
    guard spawned == 0 else {
      for fd in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] where fd >= 0 { close(fd) }
      throw SubprocessError(reason: "posix_spawn \(executable): error \(spawned)")
    }
    let deadline = timeout.map { ContinuousClock.now + $0 }
    var outcome = Outcome(status: 0, output: [], timedOut: false, outputTooLarge: false)
    var written = 0
    var descriptors = [
      pollfd(fd: stdinPipe[1], events: Int16(POLLOUT), revents: 0),
      pollfd(fd: stdoutPipe[0], events: Int16(POLLIN), revents: 0),
      pollfd(fd: stderrPipe[0], events: Int16(POLLIN), revents: 0),
    ]
    var nextTick = ContinuousClock.now + interval
    if input.isEmpty {
      close(stdinPipe[1])
      descriptors[0].fd = -1
    }
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while descriptors[1].fd >= 0 || descriptors[2].fd >= 0 {
      var wait: Int32 = -1
      if let deadline {
        let left = deadline - ContinuousClock.now
        if left <= .zero {
          outcome.timedOut = true
          break
        }
        wait = left.pollMilliseconds
      }
      if let whileRunning {
        if ContinuousClock.now >= nextTick {
          whileRunning()
          nextTick = ContinuousClock.now + interval
        }
        let untilTick = (nextTick - ContinuousClock.now).pollMilliseconds
        wait = wait < 0 ? untilTick : min(wait, untilTick)
      }
      let ready = poll(&descriptors, 3, wait)
      if ready < 0 && errno != EINTR { break }
      if ready <= 0 { continue }
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
          outcome.output += buffer[0..<count]
          if outcome.output.count > outputLimit {
            outcome.outputTooLarge = true
            break
          }
        } else if count == 0 || errno != EINTR {
          close(descriptors[1].fd)
          descriptors[1].fd = -1
        }
      }
      if descriptors[2].fd >= 0 && descriptors[2].revents != 0 {
        let count = read(descriptors[2].fd, &buffer, buffer.count)
        if count > 0 {
          buffer.withUnsafeBytes { writeAll(2, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
          outcome.errorTail += buffer[0..<count]
          if outcome.errorTail.count > tailLimit { outcome.errorTail.removeFirst(outcome.errorTail.count - tailLimit) }
        } else if count == 0 || errno != EINTR {
          close(descriptors[2].fd)
          descriptors[2].fd = -1
        }
      }
    }
    if outcome.timedOut || outcome.outputTooLarge { kill(pid, SIGKILL) }
    for descriptor in descriptors where descriptor.fd >= 0 { close(descriptor.fd) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exited = status & 0x7F == 0
    outcome.status = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    outcome.signaled = !exited
    return outcome
  }
}

extension Duration {
  /// The duration as a `poll` timeout: whole milliseconds, rounded up, at least 0.
  fileprivate var pollMilliseconds: Int32 {
    guard self > .zero else { return 0 }
    return Int32(clamping: components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 + 1)
  }
}

/// A program could not be started.
package struct SubprocessError: Error, CustomStringConvertible {
  package var reason: String
  package var description: String { reason }
}
