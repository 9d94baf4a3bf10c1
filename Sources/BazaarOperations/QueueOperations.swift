package import BazaarCore
internal import BazaarFunctions
internal import BazaarJSON
package import BazaarLive
internal import BazaarRunners
package import QueuePort
package import Spool

#if canImport(Glibc)
  internal import Glibc
#endif

/// The queues' operator commands (`bazaar queue …`), on the spool or PostgreSQL's queue, each
/// answering one JSON value.
///
/// Commands that read or settle messages open existing queues only: an unknown queue is
/// `queue_not_found`, and nothing is created. `put` and `create` create the queue.
package struct QueueOperations {
  /// The queues the commands work on.
  package var queues: any MessageQueues

  /// The spool at `root`, or at `$BAZAAR_HOME/queues` (with the debug build's crash switch).
  package init(root: String?) throws {
    queues = try Self.spool(root: root).queues
  }

  /// Another backend's queues (PostgreSQL's).
  package init(queues: any MessageQueues) {
    self.queues = queues
  }

  /// The spool at `root`, or at `$BAZAAR_HOME/queues` (with the debug build's crash switch).
  package static func spool(root: String?) throws -> Spool {
    if let root { return Spool(root: root) }
    return Spool(
      root: try Configuration().spoolRoot, environment: .live, host: nil, fault: SpoolFaults.fromEnvironment)
  }

  /// Publishes `input` (one message, or one per line with `batch`).
  package func put(
    _ name: String, input: () throws -> [UInt8], delayMilliseconds: Int64, batch: Bool
  ) throws
    -> QueueAnswer
  {
    let target = try queues.queue(name)
    let bytes = try input()
    if batch {
      let lines = bytes.split(separator: 0x0A).map(Array.init).filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D } }
      let ids = try target.publish(batch: lines, delayMilliseconds: delayMilliseconds)
      return QueueAnswer(["queue": .string(name), "ids": .array(ids.map(JSONValue.string))])
    }
    var end = bytes.count
    while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
    let id = try target.publish(Array(bytes[..<end]), delayMilliseconds: delayMilliseconds)
    return QueueAnswer(["queue": .string(name), "id": .string(id)])
  }

  /// The largest message `put` accepts on `name` (the queue's limit, or 1 GiB for a batch).
  package func inputLimit(_ name: String, batch: Bool) throws -> Int {
    batch ? 1 << 30 : try queues.queue(name).policy.maxMessageBytes
  }

  /// Claims the next ready message, waiting up to `waitMilliseconds`.
  package func take(
    _ name: String, leaseMilliseconds: Int64?, waitMilliseconds: Int64, shouldStop: @escaping @Sendable () -> Bool
  ) throws -> QueueAnswer {
    let source = try queues.existingQueue(name)
    guard
      let message = try source.claim(
        leaseMilliseconds: leaseMilliseconds, waitMilliseconds: waitMilliseconds, shouldStop: shouldStop)
    else { throw QueueEmpty(queue: name) }
    var view: [String: JSONValue] = [
      "queue": .string(name), "id": .string(message.id), "receipt": .string(message.receipt),
      "receiveCount": .integer(Int64(message.receiveCount)), "leaseExpiresAt": rfc3339(message.leaseExpiresAt),
      "publishedAt": rfc3339(message.publishedAt),
    ]
    if let lastError = message.lastError { view["lastError"] = .string(lastError) }
    return QueueAnswer(.object(view), raw: ("message", message.body))
  }

  /// Settles a claimed message as done.
  package func ack(_ name: String, receipt: String) throws -> QueueAnswer {
    try queues.existingQueue(name).ack(receipt)
    return QueueAnswer(["queue": .string(name), "acked": .string(receipt)])
  }

  /// Gives a claimed message back for a later attempt.
  package func nack(_ name: String, receipt: String, delayMilliseconds: Int64?, error: String?) throws -> QueueAnswer {
    switch try queues.existingQueue(name).nack(receipt, delayMilliseconds: delayMilliseconds, error: error) {
    case .retryAt(let time): QueueAnswer(["queue": .string(name), "outcome": "retry", "readyAt": rfc3339(time)])
    case .deadLettered: QueueAnswer(["queue": .string(name), "outcome": "dead"])
    }
  }

  /// Extends a held lease; the answer carries the new receipt.
  package func extend(_ name: String, receipt: String, leaseMilliseconds: Int64) throws -> QueueAnswer {
    let extended = try queues.existingQueue(name).extendLease(receipt, milliseconds: max(1, leaseMilliseconds))
    return QueueAnswer([
      "queue": .string(name), "receipt": .string(extended.receipt), "leaseExpiresAt": rfc3339(extended.expiresAt),
    ])
  }

  /// Counts by state for one queue, or for every queue.
  package func stats(_ name: String?) throws -> QueueAnswer {
    if let name { return QueueAnswer(Self.view(name, try queues.existingQueue(name).stats())) }
    let views = try queues.queueNames().map { name in Self.view(name, try queues.queue(name).stats()) }
    return QueueAnswer(["queues": .array(views)])
  }

  private static func view(_ name: String, _ stats: QueueStats) -> JSONValue {
    [
      "queue": .string(name), "ready": .integer(Int64(stats.ready)), "delayed": .integer(Int64(stats.delayed)),
      "inFlight": .integer(Int64(stats.inFlight)), "done": .integer(Int64(stats.done)),
      "dead": .integer(Int64(stats.dead)),
      "oldestReadyAgeSeconds": stats.oldestReadyAgeMilliseconds.map { .number(Double($0) / 1000) } ?? .null,
    ]
  }

  /// The queue names.
  package func list() throws -> QueueAnswer {
    QueueAnswer(["queues": .array(try queues.queueNames().map(JSONValue.string))])
  }

  /// Messages in `state` without claiming them, earliest first.
  package func peek(_ name: String, from state: MessageState, limit: Int) throws -> QueueAnswer {
    let messages = try queues.existingQueue(name).peek(state, limit: limit)
    var text = "{\"queue\":"
    JSONValue.writeString(name, to: &text)
    text += ",\"from\":\"\(state.rawValue)\",\"messages\":["
    for (index, message) in messages.enumerated() {
      var view: [String: JSONValue] = [
        "id": .string(message.id), "receiveCount": .integer(Int64(message.receiveCount)),
        (state == .ready ? "readyAt" : state == .inFlight ? "leaseExpiresAt" : "settledAt"): rfc3339(message.time),
      ]
      if let publishedAt = message.publishedAt { view["publishedAt"] = rfc3339(publishedAt) }
      if let lastError = message.lastError { view["lastError"] = .string(lastError) }
      if index > 0 { text += "," }
      var item = JSONValue.object(view).serialized
      item.removeLast()
      text += item + "," + Self.bodyMember(message.body) + "}"
    }
    text += "]}"
    return QueueAnswer(.null, rawText: text)
  }

  /// `"message":BODY` for a JSON body; a set-aside foreign file's bytes go under `rawMessage` as text.
  private static func bodyMember(_ body: [UInt8]?) -> String {
    guard let body else { return "\"message\":null" }
    if (try? JSONValue.parse(body)) != nil { return "\"message\":" + String(decoding: body, as: UTF8.self) }
    var text = "\"message\":null,\"rawMessage\":"
    JSONValue.writeString(String(decoding: body, as: UTF8.self), to: &text)
    return text
  }

  /// Moves messages from `dead/` or `done/` back to `new/`: one (`id`) or all.
  package func replay(_ name: String, from state: MessageState, id: String?) throws -> QueueAnswer {
    let ids = try queues.existingQueue(name).replay(from: state, id: id)
    return QueueAnswer(["queue": .string(name), "replayed": .array(ids.map(JSONValue.string))])
  }

  /// Deletes every message in `done/` or `dead/`.
  package func purge(_ name: String, from state: MessageState) throws -> QueueAnswer {
    QueueAnswer(["queue": .string(name), "purged": .integer(Int64(try queues.existingQueue(name).purge(state)))])
  }

  /// Returns expired leases, sets foreign files aside, clears abandoned temporary files.
  package func reap(_ name: String?) throws -> QueueAnswer {
    let names = try name.map { [$0] } ?? queues.queueNames()
    let views = try names.map { name -> JSONValue in
      let report = try queues.existingQueue(name).reap()
      return [
        "queue": .string(name), "returned": .integer(Int64(report.returned)),
        "deadLettered": .integer(Int64(report.deadLettered)), "quarantined": .integer(Int64(report.quarantined)),
        "removedTemporaryFiles": .integer(Int64(report.removedTemporaryFiles)),
      ]
    }
    return QueueAnswer(["queues": .array(views)])
  }

  /// A policy change for `create`: nil fields stay as they are.
  package struct PolicyChange {
    package var maxAttempts: Int?
    package var retainAcked: Bool?
    package var leaseMilliseconds: Int64?
    package var maxBytes: Int?
    package var backoff: String?

    package init(
      maxAttempts: Int?, retainAcked: Bool?, leaseMilliseconds: Int64?, maxBytes: Int?, backoff: String?
    ) {
      self.maxAttempts = maxAttempts
      self.retainAcked = retainAcked
      self.leaseMilliseconds = leaseMilliseconds
      self.maxBytes = maxBytes
      self.backoff = backoff
    }
  }

  /// Creates the queue or changes its policy.
  package func create(_ name: String, _ change: PolicyChange) throws -> QueueAnswer {
    var policy = try queues.queue(name).policy
    if let maxAttempts = change.maxAttempts { policy.maxAttempts = maxAttempts }
    if let retain = change.retainAcked { policy.retainAcked = retain }
    if let lease = change.leaseMilliseconds { policy.visibilityTimeoutMilliseconds = lease }
    if let maxBytes = change.maxBytes { policy.maxMessageBytes = maxBytes }
    if let backoff = change.backoff {
      guard let parsed = RetryBackoff(backoff) else { throw QueueError.invalidPolicy("unknown backoff \(backoff)") }
      policy.backoff = parsed
    }
    let saved = try queues.configure(name, policy: policy).policy
    return QueueAnswer([
      "queue": .string(name), "maxAttempts": .integer(Int64(saved.maxAttempts)),
      "retainAcked": .bool(saved.retainAcked), "maxMessageBytes": .integer(Int64(saved.maxMessageBytes)),
      "visibilityTimeoutSeconds": .number(Double(saved.visibilityTimeoutMilliseconds) / 1000),
      "backoff": .string(saved.backoff.description),
    ])
  }

  /// Runs `command` once per message of `name` (see `MessageProgram`) until the queue is
  /// drained (`once`) or `shouldStop` says so.
  package func work(
    _ name: String, command: [String], concurrency: Int, leaseMilliseconds: Int64?, once: Bool,
    shouldStop: @escaping @Sendable () -> Bool
  ) throws -> QueueAnswer {
    let source = try queues.existingQueue(name)
    guard let executable = MessageProgram.resolve(command[0]) else { throw ProgramNotFound(program: command[0]) }
    let program = MessageProgram(executable: executable, arguments: Array(command.dropFirst()), queue: name)
    let worker = SpoolWorker(queue: source, concurrency: concurrency, leaseMilliseconds: leaseMilliseconds, once: once)
    let report = try worker.run(shouldStop: shouldStop) { message, keeper in program.run(message, keeper: keeper) }
    return QueueAnswer([
      "queue": .string(name), "acked": .integer(Int64(report.acked)), "retried": .integer(Int64(report.retried)),
      "deadLettered": .integer(Int64(report.deadLettered)), "leaseLost": .integer(Int64(report.leaseLost)),
    ])
  }
}

func rfc3339(_ milliseconds: Int64) -> JSONValue { .string(Timestamp(milliseconds: milliseconds).rfc3339) }

/// Test-only crash points: a debug build reads `variable` (`POINT`) once and exits with 86 when
/// the returned switch is called with that point; a release build never exits.
package func crashSwitch(_ variable: String) -> @Sendable (String) -> Void {
  #if DEBUG
    let chosen = getenv(variable).map { String(cString: $0) }
    return { point in if point == chosen { _exit(86) } }
  #else
    return { _ in }
  #endif
}

/// The spool's crash points, from `BAZAAR_SPOOL_FAULT`.
enum SpoolFaults {
  static let fromEnvironment: @Sendable (SpoolFaultPoint) -> Void = {
    let crash = crashSwitch("BAZAAR_SPOOL_FAULT")
    return { crash($0.rawValue) }
  }()
}
