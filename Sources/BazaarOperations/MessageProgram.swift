internal import BazaarLive
internal import BazaarRunners
internal import Logging
internal import QueuePort
internal import Spool
package import Synchronization

#if canImport(Glibc)
  internal import Glibc
#endif

/// The program `queue work` runs once per message: the message on its stdin, its stdout ours,
/// its stderr copied to ours (the last 1 KiB kept as the message's error). Exit 0 acks; exit 75
/// retries with the queue's backoff; any other exit or a signal retries with the error recorded.
/// Started with `posix_spawn` (`Subprocess`), as the HTTP runner starts functions.
struct MessageProgram: Sendable {
  var executable: String
  var arguments: [String]
  var queue: String
  /// This process's environment as `NAME=value`, less the per-message variables: read once.
  var inherited: [String] = Self.environment()

  /// `name` itself when it holds a slash, else the first executable match on PATH.
  static func resolve(_ name: String) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    let path = Environment.process["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
  }

  func run(_ message: ClaimedMessage, keeper: LeaseKeeper) -> WorkOutcome {
    let logger = Logs.logger(label: "bazaar.queue.work")
    let started = ContinuousClock.now
    let environment =
      inherited + [
        "BAZAAR_QUEUE=\(queue)", "BAZAAR_MESSAGE_ID=\(message.id)", "BAZAAR_RECEIVE_COUNT=\(message.receiveCount)",
      ]
    let outcome: WorkOutcome
    do {
      let ran = try Subprocess.run(
        executable, arguments, environment: environment, input: message.body, output: .inherit,
        errorOutput: .inheritKeepingTail(bytes: 1024), interval: .milliseconds(250),
        whileRunning: { keeper.renewIfDue() })
      let tail = Self.suffix(ran.errorTail)
      outcome =
        switch (ran.signaled, ran.status) {
        case (true, let status): .retry(error: "killed by signal \(status - 128)" + tail)
        case (false, 0): .ack
        case (false, 75): .retry(error: "temporary failure (exit 75)" + tail)
        case (false, let status): .retry(error: "exit status \(status)" + tail)
        }
    } catch {
      outcome = .retry(error: "cannot start \(executable): \(error)")
    }
    let elapsed = ContinuousClock.now - started
    logger.info(
      "message processed",
      metadata: [
        "queue": "\(queue)", "id": "\(message.id)", "receiveCount": "\(message.receiveCount)",
        "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        "outcome": "\(outcome == .ack ? "ack" : "retry")",
      ])
    return outcome
  }

  /// This process's environment as `NAME=value` entries, less the per-message variables.
  private static func environment() -> [String] {
    var entries: [String] = []
    var cursor = environ
    while let entry = cursor.pointee {
      let text = String(cString: entry)
      if !text.hasPrefix("BAZAAR_QUEUE=") && !text.hasPrefix("BAZAAR_MESSAGE_ID=")
        && !text.hasPrefix("BAZAAR_RECEIVE_COUNT=")
      {
        entries.append(text)
      }
      cursor += 1
    }
    return entries
  }

  /// `": LAST LINES"`, or nothing when the program wrote nothing on stderr.
  private static func suffix(_ tail: [UInt8]) -> String {
    let text = String(decoding: tail, as: UTF8.self)
    let trimmed = text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
    return trimmed.isEmpty ? "" : ": " + String(trimmed)
  }
}

/// SIGTERM and SIGINT ask long-running queue commands to stop after the work in hand.
package enum StopSignal {
  static let flag = Atomic<Bool>(false)

  /// Whether SIGTERM or SIGINT arrived since `install()`.
  package static let requested: @Sendable () -> Bool = { flag.load(ordering: .relaxed) }

  /// Catches SIGTERM and SIGINT (and ignores SIGPIPE, so a program that exits without reading
  /// its message does not take the worker with it).
  package static func install() {
    signal(SIGPIPE, SIG_IGN)
    for signalNumber in [SIGTERM, SIGINT] {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { _ in StopSignal.flag.store(true, ordering: .relaxed) }
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      sigaction(signalNumber, &action, nil)
    }
  }
}
