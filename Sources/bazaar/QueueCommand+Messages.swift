internal import ArgumentParser
internal import BazaarFunctions
internal import BazaarJSON
internal import BazaarRunners
internal import Spool

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
      try runQueueCommand {
        let target = try options.queue(queue)
        let input: [UInt8]
        switch readBounded(0, limit: batch ? 1 << 30 : target.policy.maxMessageBytes) {
        case .complete(let bytes): input = bytes
        case .tooLarge:
          throw SpoolError.messageTooLarge(
            size: target.policy.maxMessageBytes + 1, limit: target.policy.maxMessageBytes)
        case .unreadable(let code): throw SpoolError.system(operation: "read", path: "stdin", errno: code)
        }
        let delayMilliseconds = try milliseconds(delay, option: "--delay") ?? 0
        if batch {
          let lines = input.split(separator: 0x0A).map(Array.init).filter {
            !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D }
          }
          let ids = try target.publish(batch: lines, delayMilliseconds: delayMilliseconds)
          return JSONOutput(["queue": .string(queue), "ids": .array(ids.map(JSONValue.string))])
        }
        let id = try target.publish(trimmed(input), delayMilliseconds: delayMilliseconds)
        return JSONOutput(["queue": .string(queue), "id": .string(id)])
      }
    }

    /// The message without the trailing newline a shell `echo` adds.
    private func trimmed(_ bytes: [UInt8]) -> [UInt8] {
      var end = bytes.count
      while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
      return Array(bytes[..<end])
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
      try runQueueCommand {
        let source = try options.queue(queue)
        let leaseMilliseconds = try milliseconds(lease, option: "--lease")
        if let leaseMilliseconds, leaseMilliseconds < 1 { throw ValidationError("--lease must be positive") }
        let waitMilliseconds = try milliseconds(wait, option: "--wait") ?? 0
        guard
          let message = try source.claim(
            leaseMilliseconds: leaseMilliseconds, waitMilliseconds: waitMilliseconds, shouldStop: StopSignal.requested)
        else {
          throw QueueEmpty(queue: queue)
        }
        var view: [String: JSONValue] = [
          "queue": .string(queue), "id": .string(message.id), "receipt": .string(message.receipt),
          "receiveCount": .integer(Int64(message.receiveCount)), "leaseExpiresAt": rfc3339(message.leaseExpiresAt),
          "publishedAt": rfc3339(message.publishedAt),
        ]
        if let lastError = message.lastError { view["lastError"] = .string(lastError) }
        return JSONOutput(.object(view), raw: ("message", message.body))
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
      try runQueueCommand {
        try options.queue(queue).ack(receipt)
        return JSONOutput(["queue": .string(queue), "acked": .string(receipt)])
      }
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
      try runQueueCommand {
        let outcome = try options.queue(queue).nack(
          receipt, delayMilliseconds: try milliseconds(delay, option: "--delay"), error: error)
        switch outcome {
        case .retryAt(let time):
          return JSONOutput(["queue": .string(queue), "outcome": "retry", "readyAt": rfc3339(time)])
        case .deadLettered:
          return JSONOutput(["queue": .string(queue), "outcome": "dead"])
        }
      }
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
      try runQueueCommand {
        let leaseMilliseconds = try milliseconds(lease, option: "--lease") ?? 0
        let extended = try options.queue(queue).extendLease(receipt, milliseconds: max(1, leaseMilliseconds))
        return JSONOutput([
          "queue": .string(queue), "receipt": .string(extended.receipt), "leaseExpiresAt": rfc3339(extended.expiresAt),
        ])
      }
    }
  }
}

/// `take` found nothing ready: exit 75, try again later.
struct QueueEmpty: Error, ProblemConvertible {
  var queue: String

  var problem: Problem {
    Problem(
      status: 503, code: "queue_empty", title: "Nothing to take",
      detail: "no message in queue \"\(queue)\" is ready; try again later")
  }
}
