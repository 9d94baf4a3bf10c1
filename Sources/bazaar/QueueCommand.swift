internal import ArgumentParser
internal import BazaarLive
internal import BazaarOperations
internal import BazaarRunners
internal import QueuePort
internal import Spool

/// `bazaar queue …`: the spool's operator commands. Every answer is one JSON value on stdout;
/// refusals are problem objects with the contract's exit codes.
struct QueueCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "queue", abstract: "Publish, take, settle, inspect and work the spool's directory queues.",
    discussion: """
      Queues live under $BAZAAR_HOME/queues (or --spool DIR), one directory per queue with \
      tmp/ new/ cur/ done/ dead/ (see docs/queues.md). Only put and create make a queue; the \
      other commands answer queue_not_found for a queue that does not exist. Exit codes: 0 ok, \
      64 usage, 65 refused (bad message, unknown queue, receipt or id), 70 spool failure, 75 \
      nothing to take yet.
      """,
    subcommands: [
      Put.self, Take.self, Ack.self, Nack.self, Extend.self, Stats.self, List.self, Peek.self, Replay.self,
      Purge.self, Reap.self, Work.self, Create.self,
    ])
}

/// The `--spool` option every queue subcommand takes.
struct SpoolOptions: ParsableArguments {
  @Option(help: "The spool root (default: PostgreSQL's queue with BAZAAR_QUEUE_URL, else $BAZAAR_HOME/queues).")
  var spool: String?

  /// Runs one operation on the spool, prints its answer and exits with its code.
  func respond(_ body: (QueueOperations) throws -> QueueAnswer) throws {
    let code = QueueAnswer.respond {
      try body(QueueOperations(queues: try adapters.shopQueues(Configuration(), spoolRoot: spool)))
    }
    if code != 0 { throw ExitCode(code) }
  }
}

/// Seconds on the command line (fractions allowed) as milliseconds.
func milliseconds(_ seconds: Double?, option: String) throws -> Int64? {
  guard let seconds else { return nil }
  guard seconds.isFinite, seconds >= 0, seconds <= 14 * 86_400 else {
    throw ValidationError("\(option) takes seconds from 0 to 1209600")
  }
  return Int64((seconds * 1000).rounded())
}

/// A message state as `--from` names it: the directory.
enum StateArgument: String, ExpressibleByArgument {
  case new, cur, done, dead

  var state: MessageState { MessageState(rawValue: rawValue)! }
}

extension QueueCommand {
  /// `bazaar queue put QUEUE`: publish the message on stdin.
  struct Put: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Publish the CloudEvents JSON message on stdin durably; print its id.",
      discussion: "With --batch, stdin holds one message per line, published with one directory fsync.")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "Seconds before the message becomes ready.") var delay: Double?
    @Flag(help: "Read one message per line and publish them together.") var batch = false

    func run() throws {
      let delayMilliseconds = try milliseconds(delay, option: "--delay") ?? 0
      try options.respond { operations in
        try operations.put(
          queue,
          input: {
            let limit = try operations.inputLimit(queue, batch: batch)
            switch readBounded(0, limit: limit) {
            case .complete(let bytes): return bytes
            case .tooLarge: throw QueueError.messageTooLarge(size: limit + 1, limit: limit)
            case .unreadable(let code): throw QueueError.system(operation: "read", path: "stdin", errno: code)
            }
          }, delayMilliseconds: delayMilliseconds, batch: batch)
      }
    }
  }

  /// `bazaar queue take QUEUE`: claim the next ready message.
  struct Take: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Claim the next ready message under a lease; print it with its receipt (exit 75 when none).")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "Lease in seconds (default: the queue's visibility timeout).") var lease: Double?
    @Option(help: "Seconds to wait for a message to become ready.") var wait: Double?

    func run() throws {
      let leaseMilliseconds = try milliseconds(lease, option: "--lease")
      if let leaseMilliseconds, leaseMilliseconds < 1 { throw ValidationError("--lease must be positive") }
      let waitMilliseconds = try milliseconds(wait, option: "--wait") ?? 0
      StopSignal.install()
      try options.respond {
        try $0.take(
          queue, leaseMilliseconds: leaseMilliseconds, waitMilliseconds: waitMilliseconds,
          shouldStop: StopSignal.requested)
      }
    }
  }

  /// `bazaar queue ack QUEUE RECEIPT`.
  struct Ack: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Settle a claimed message as done.")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Argument(help: "The receipt `take` printed.") var receipt: String

    func run() throws {
      try options.respond { try $0.ack(queue, receipt: receipt) }
    }
  }

  /// `bazaar queue nack QUEUE RECEIPT`.
  struct Nack: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Give a claimed message back for a later attempt (dead-lettered after the last one).")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Argument(help: "The receipt `take` printed.") var receipt: String
    @Option(help: "Seconds before the next attempt (default: the queue's backoff).") var delay: Double?
    @Option(help: "What went wrong; kept with the message.") var error: String?

    func run() throws {
      let delayMilliseconds = try milliseconds(delay, option: "--delay")
      try options.respond { try $0.nack(queue, receipt: receipt, delayMilliseconds: delayMilliseconds, error: error) }
    }
  }

  /// `bazaar queue extend QUEUE RECEIPT --lease S`.
  struct Extend: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Extend a held lease; print the new receipt (the old one stops working).")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Argument(help: "The receipt `take` printed.") var receipt: String
    @Option(help: "New lease in seconds from now.") var lease: Double

    func run() throws {
      let leaseMilliseconds = try milliseconds(lease, option: "--lease") ?? 0
      try options.respond { try $0.extend(queue, receipt: receipt, leaseMilliseconds: leaseMilliseconds) }
    }
  }
}
