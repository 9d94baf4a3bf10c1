internal import ArgumentParser
internal import BazaarJSON
internal import Spool

extension QueueCommand {
  /// `bazaar queue stats [QUEUE]`.
  struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Count messages by state: ready, delayed, in flight, done, dead, and the oldest ready age.")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue (default: every queue).") var queue: String?

    func run() throws {
      try runQueueCommand {
        let spool = try options.open()
        if let queue { return JSONOutput(try Self.view(queue, try spool.queue(queue).stats())) }
        let views = try spool.queueNames().map { name in try Self.view(name, try spool.queue(name).stats()) }
        return JSONOutput(["queues": .array(views)])
      }
    }

    static func view(_ name: String, _ stats: QueueStats) throws -> JSONValue {
      [
        "queue": .string(name), "ready": .integer(Int64(stats.ready)), "delayed": .integer(Int64(stats.delayed)),
        "inFlight": .integer(Int64(stats.inFlight)), "done": .integer(Int64(stats.done)),
        "dead": .integer(Int64(stats.dead)),
        "oldestReadyAgeSeconds": stats.oldestReadyAgeMilliseconds.map { .number(Double($0) / 1000) } ?? .null,
      ]
    }
  }

  /// `bazaar queue ls`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the queues.")

    @OptionGroup var options: SpoolOptions

    func run() throws {
      try runQueueCommand {
        JSONOutput(["queues": .array(try options.open().queueNames().map(JSONValue.string))])
      }
    }
  }

  /// `bazaar queue peek QUEUE`.
  struct Peek: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show messages without claiming them, earliest first (as a JSON array under \"messages\").")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "Which state: new, cur, done or dead.") var from: StateArgument = .new
    @Option(help: "At most this many messages.") var limit = 10

    func run() throws {
      try runQueueCommand {
        let messages = try options.queue(queue).peek(from.state, limit: limit)
        var text = "{\"queue\":"
        JSONValue.writeString(queue, to: &text)
        text += ",\"from\":\"\(from.rawValue)\",\"messages\":["
        for (index, message) in messages.enumerated() {
          var view: [String: JSONValue] = [
            "id": .string(message.id), "receiveCount": .integer(Int64(message.receiveCount)),
            (from == .new ? "readyAt" : from == .cur ? "leaseExpiresAt" : "settledAt"): rfc3339(message.time),
          ]
          if let publishedAt = message.publishedAt { view["publishedAt"] = rfc3339(publishedAt) }
          if let lastError = message.lastError { view["lastError"] = .string(lastError) }
          if index > 0 { text += "," }
          var item = JSONValue.object(view).serialized
          item.removeLast()
          text += item + "," + QueueCommand.bodyMember(message.body) + "}"
        }
        text += "]}"
        return JSONOutput(.null, rawText: text)
      }
    }
  }

  /// `"message":BODY` for a JSON body; a set-aside foreign file's bytes go under `rawMessage` as text.
  static func bodyMember(_ body: [UInt8]?) -> String {
    guard let body else { return "\"message\":null" }
    if (try? JSONValue.parse(body)) != nil { return "\"message\":" + String(decoding: body, as: UTF8.self) }
    var text = "\"message\":null,\"rawMessage\":"
    JSONValue.writeString(String(decoding: body, as: UTF8.self), to: &text)
    return text
  }
}

extension QueueCommand {
  /// `bazaar queue replay QUEUE --from dead|done`.
  struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Move messages from dead/ or done/ back to new/ with a fresh attempt count.")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "dead or done.") var from: StateArgument
    @Option(help: "Replay this message only.") var id: String?
    @Flag(help: "Replay every message in the state.") var all = false

    func validate() throws {
      guard from == .dead || from == .done else { throw ValidationError("--from takes dead or done") }
      if id != nil && all { throw ValidationError("give --id ID or --all, not both") }
      if id == nil && !all { throw ValidationError("give --id ID or --all") }
    }

    func run() throws {
      try runQueueCommand {
        let ids = try options.queue(queue).replay(from: from.state, id: id)
        return JSONOutput(["queue": .string(queue), "replayed": .array(ids.map(JSONValue.string))])
      }
    }
  }

  /// `bazaar queue purge QUEUE --from done|dead`.
  struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete every message in done/ or dead/.")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "done or dead.") var from: StateArgument

    func validate() throws {
      guard from == .dead || from == .done else { throw ValidationError("--from takes done or dead") }
    }

    func run() throws {
      try runQueueCommand {
        JSONOutput(["queue": .string(queue), "purged": .integer(Int64(try options.queue(queue).purge(from.state)))])
      }
    }
  }

  /// `bazaar queue reap [QUEUE]`.
  struct Reap: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Return expired leases, set foreign files aside, clear abandoned temporary files.")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue (default: every queue).") var queue: String?

    func run() throws {
      try runQueueCommand {
        let spool = try options.open()
        let names = try queue.map { [$0] } ?? spool.queueNames()
        let views = try names.map { name -> JSONValue in
          let report = try spool.queue(name).reap()
          return [
            "queue": .string(name), "returned": .integer(Int64(report.returned)),
            "deadLettered": .integer(Int64(report.deadLettered)), "quarantined": .integer(Int64(report.quarantined)),
            "removedTemporaryFiles": .integer(Int64(report.removedTemporaryFiles)),
          ]
        }
        return JSONOutput(["queues": .array(views)])
      }
    }
  }

  /// `bazaar queue create QUEUE`: write the queue's policy.
  struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create a queue or change its policy (attempts, retention, lease, size limit, backoff).")

    @OptionGroup var options: SpoolOptions
    @Argument(help: "The queue.") var queue: String
    @Option(help: "Deliveries before dead-lettering (default 25).") var maxAttempts: Int?
    @Flag(inversion: .prefixedNo, help: "Keep acked messages in done/ for replay.") var retain: Bool?
    @Option(help: "Default lease in seconds (default 30).") var lease: Double?
    @Option(help: "Largest message in bytes (default 262144).") var maxBytes: Int?
    @Option(help: "sidekiq, fixed:MS or exponential:BASE_MS:CAP_MS.") var backoff: String?

    func run() throws {
      try runQueueCommand {
        let spool = try options.open()
        var policy = try spool.queue(queue).policy
        if let maxAttempts { policy.maxAttempts = maxAttempts }
        if let retain { policy.retainAcked = retain }
        if let lease = try milliseconds(lease, option: "--lease") { policy.visibilityTimeoutMilliseconds = lease }
        if let maxBytes { policy.maxMessageBytes = maxBytes }
        if let backoff {
          guard let parsed = RetryBackoff(backoff) else { throw SpoolError.invalidPolicy("unknown backoff \(backoff)") }
          policy.backoff = parsed
        }
        let saved = try spool.configure(queue, policy: policy).policy
        return JSONOutput([
          "queue": .string(queue), "maxAttempts": .integer(Int64(saved.maxAttempts)),
          "retainAcked": .bool(saved.retainAcked), "maxMessageBytes": .integer(Int64(saved.maxMessageBytes)),
          "visibilityTimeoutSeconds": .number(Double(saved.visibilityTimeoutMilliseconds) / 1000),
          "backoff": .string(saved.backoff.description),
        ])
      }
    }
  }
}
