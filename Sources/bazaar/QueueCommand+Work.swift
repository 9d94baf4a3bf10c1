internal import ArgumentParser
internal import BazaarJSON
internal import Foundation
internal import Logging
internal import Spool
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#endif

extension QueueCommand {
  /// `bazaar queue work QUEUE -- COMMAND…`: a consumer that runs a program per message.
  struct Work: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run COMMAND once per message, the message on its stdin; its exit status settles the message.",
      discussion: """
        Exit 0 acks; exit 75 retries with the queue's backoff; any other exit (or a signal) retries \
        with the error recorded (last lines of its stderr), and dead-letters after the last attempt. \
        The lease is extended while COMMAND runs. SIGTERM or SIGINT stops taking new messages and \
        lets running ones finish. The child sees BAZAAR_QUEUE, BAZAAR_MESSAGE_ID and BAZAAR_RECEIVE_COUNT.
        """)

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "Messages processed at once.") var concurrency = 1
    @Option(help: "Lease in seconds (default: the queue's visibility timeout); renewed while COMMAND runs.")
    var lease: Double?
    @Flag(help: "Process what is ready, then exit (for cron).") var once = false
    @Argument(parsing: .postTerminator, help: "The program and its arguments.") var command: [String]

    func validate() throws {
      guard !command.isEmpty else { throw ValidationError("give the command after --") }
      guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency takes 1 to 256") }
    }

    func run() throws {
      try runQueueCommand {
        let source = try options.queue(queue)
        guard let executable = CommandRunner.resolve(command[0]) else {
          throw ValidationError("\(command[0]): no such program on PATH")
        }
        StopSignal.install()
        let runner = CommandRunner(executable: executable, arguments: Array(command.dropFirst()), queue: queue)
        let worker = SpoolWorker(
          queue: source, concurrency: concurrency, leaseMilliseconds: try milliseconds(lease, option: "--lease"),
          once: once)
        let report = try worker.run(shouldStop: StopSignal.requested) { message, keeper in
          runner.run(message, keeper: keeper)
        }
        return JSONOutput([
          "queue": .string(queue), "acked": .integer(Int64(report.acked)), "retried": .integer(Int64(report.retried)),
          "deadLettered": .integer(Int64(report.deadLettered)), "leaseLost": .integer(Int64(report.leaseLost)),
        ])
      }
    }
  }
}

/// Runs the `work` command for one message and maps its exit status to an outcome.
struct CommandRunner: Sendable {
  var executable: String
  var arguments: [String]
  var queue: String

  /// `name` itself when it holds a slash, else the first executable match on PATH.
  static func resolve(_ name: String) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
  }

  func run(_ message: ClaimedMessage, keeper: LeaseKeeper) -> WorkOutcome {
    let logger = Logging.logger(label: "bazaar.queue.work")
    let started = DispatchTime.now()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["BAZAAR_QUEUE"] = queue
    environment["BAZAAR_MESSAGE_ID"] = message.id
    environment["BAZAAR_RECEIVE_COUNT"] = String(message.receiveCount)
    process.environment = environment
    let input = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardError = errors
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    do {
      try process.run()
    } catch {
      return .retry(error: "cannot start \(executable): \(error)")
    }
    let body = message.body
    let writer = input.fileHandleForWriting
    DispatchQueue.global().async {
      body.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
          let count = write(writer.fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
          if count <= 0 { break }
          offset += count
        }
      }
      try? writer.close()
    }
    let tail = StderrTail(errors.fileHandleForReading)
    while exited.wait(timeout: .now() + .milliseconds(250)) == .timedOut { keeper.renewIfDue() }
    tail.finish()
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
    var metadata: Logger.Metadata = [
      "queue": "\(queue)", "id": "\(message.id)", "receiveCount": "\(message.receiveCount)",
      "ms": "\(Int(elapsed))",
    ]
    let outcome: WorkOutcome
    switch (process.terminationReason, process.terminationStatus) {
    case (.exit, 0):
      outcome = .ack
    case (.exit, 75):
      outcome = .retry(error: "temporary failure (exit 75)" + tail.suffix)
    case (.exit, let status):
      outcome = .retry(error: "exit status \(status)" + tail.suffix)
    case (.uncaughtSignal, let signal):
      outcome = .retry(error: "killed by signal \(signal)" + tail.suffix)
    @unknown default:
      outcome = .retry(error: "ended abnormally" + tail.suffix)
    }
    metadata["outcome"] = outcome == .ack ? "ack" : "retry"
    logger.info("message processed", metadata: metadata)
    return outcome
  }
}

/// Copies a child's stderr to ours and keeps its last 1 KiB for the message's error record.
final class StderrTail: @unchecked Sendable {
  // @unchecked: `kept` is written by the reader thread only until `finish()` joins it.
  private var kept: [UInt8] = []
  private let done = DispatchSemaphore(value: 0)

  init(_ handle: FileHandle) {
    DispatchQueue.global().async { [self] in
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        let count = read(handle.fileDescriptor, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        buffer.withUnsafeBytes { _ = write(2, $0.baseAddress!, count) }
        kept.append(contentsOf: buffer[0..<count])
        if kept.count > 1024 { kept.removeFirst(kept.count - 1024) }
      }
      done.signal()
    }
  }

  /// Waits for the child's stderr to close.
  func finish() { done.wait() }

  /// `": LAST LINES"`, or nothing when the child wrote nothing.
  var suffix: String {
    let text = String(decoding: kept, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? "" : ": " + text
  }
}

/// SIGTERM and SIGINT ask long-running queue commands to stop after the work in hand.
enum StopSignal {
  static let flag = Atomic<Bool>(false)

  static let requested: @Sendable () -> Bool = { flag.load(ordering: .relaxed) }

  static func install() {
    for signalNumber in [SIGTERM, SIGINT] {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { _ in StopSignal.flag.store(true, ordering: .relaxed) }
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      sigaction(signalNumber, &action, nil)
    }
  }
}
