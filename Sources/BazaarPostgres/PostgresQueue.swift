internal import BazaarCore
internal import QueuePort

#if canImport(Glibc)
  internal import Glibc
#endif

/// One queue of `PostgresQueues`.
struct PostgresQueue: MessageQueue {
  let name: String
  let policy: QueuePolicy
  let queues: PostgresQueues

  func publish(batch bodies: [[UInt8]], delayMilliseconds: Int64) throws -> [String] {
    for body in bodies {
      guard body.count <= policy.maxMessageBytes else {
        throw QueueError.messageTooLarge(size: body.count, limit: policy.maxMessageBytes)
      }
      if let reason = CloudEvent.violation(in: body) { throw QueueError.invalidMessage(reason) }
    }
    guard delayMilliseconds >= 0 else { throw QueueError.invalidMessage("the delay must not be negative") }
    let now = Self.now()
    let ids = bodies.indices.map { _ in Self.newID(now: now) }
    try queues.run { connection in
      try connection.query(
        """
        WITH published AS (
          INSERT INTO queue_messages (queue, id, state, body, published_at, ready_at)
          SELECT $1, m.id, 'ready', decode(m.body, 'hex'), $3, $4
          FROM unnest($2::text[], $5::text[]) AS m (id, body)
          RETURNING 1)
        SELECT pg_notify('bazaar_queue', $1) FROM published LIMIT 1
        """,
        [name, PostgresArray(ids), now, now + delayMilliseconds, PostgresArray(bodies.map(Self.hex))])
    }
    return ids
  }

  func claim(leaseMilliseconds: Int64?, waitMilliseconds: Int64, shouldStop: () -> Bool) throws -> ClaimedMessage? {
    let lease = leaseMilliseconds ?? policy.visibilityTimeoutMilliseconds
    guard lease > 0 else { throw QueueError.invalidPolicy("the lease must be positive") }
    let deadline = Self.now() + max(0, waitMilliseconds)
    while true {
      let now = Self.now()
      let token = Self.token()
      let rows = try queues.run {
        try $0.query(
          """
          UPDATE queue_messages SET state = 'inflight', lease_until = $3, lease_token = $4, receives = receives + 1
          WHERE seq = (
            SELECT seq FROM queue_messages WHERE queue = $1 AND state = 'ready' AND ready_at <= $2
            ORDER BY ready_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING id, receives, published_at, last_error, body
          """, [name, now, now + lease, token])
      }
      if rows.count == 1 {
        let row = rows[0]
        return ClaimedMessage(
          id: row.string(0), receipt: row.string(0) + "." + token, receiveCount: row.int(1),
          leaseExpiresAt: now + lease, publishedAt: row.int64(2), lastError: row.optionalString(3),
          body: Self.bytes(row.string(4)))
      }
      if now >= deadline || shouldStop() { return nil }
      usleep(UInt32(min(100, max(1, deadline - now)) * 1000))
    }
  }

  func ack(_ receipt: String) throws {
    let (id, token) = try Self.parse(receipt)
    let changed = try queues.run {
      try $0.query(
        policy.retainAcked
          ? """
          UPDATE queue_messages SET state = 'done', settled_at = $4, lease_until = NULL, lease_token = NULL
          WHERE queue = $1 AND id = $2 AND lease_token = $3 AND state = 'inflight'
          """
          : "DELETE FROM queue_messages WHERE queue = $1 AND id = $2 AND lease_token = $3 AND state = 'inflight'",
        policy.retainAcked ? [name, id, token, Self.now()] : [name, id, token]
      ).affected
    }
    guard changed == 1 else { throw QueueError.leaseLost(receipt: receipt) }
  }

  func nack(_ receipt: String, delayMilliseconds: Int64?, error: String?) throws -> NackOutcome {
    let (id, token) = try Self.parse(receipt)
    let now = Self.now()
    return try queues.run { connection in
      let held = try connection.query(
        "SELECT receives FROM queue_messages WHERE queue = $1 AND id = $2 AND lease_token = $3 AND state = 'inflight'",
        [name, id, token])
      guard held.count == 1 else { throw QueueError.leaseLost(receipt: receipt) }
      let receives = held[0].int(0)
      let outcome: NackOutcome
      let changed: Int
      if receives >= policy.maxAttempts {
        let reason = "\(error ?? "failed without an error text") (attempt \(receives) of \(policy.maxAttempts))"
        changed = try connection.query(
          """
          UPDATE queue_messages SET state = 'dead', settled_at = $4, last_error = $5, lease_until = NULL,
            lease_token = NULL
          WHERE queue = $1 AND id = $2 AND lease_token = $3 AND state = 'inflight'
          """, [name, id, token, now, reason]
        ).affected
        outcome = .deadLettered
      } else {
        let delay = max(
          0, delayMilliseconds ?? policy.backoff.delayMilliseconds(afterReceives: receives) { Int.random(in: 0..<$0) })
        changed = try connection.query(
          """
          UPDATE queue_messages SET state = 'ready', ready_at = $4, last_error = coalesce($5, last_error),
            lease_until = NULL, lease_token = NULL
          WHERE queue = $1 AND id = $2 AND lease_token = $3 AND state = 'inflight'
          """, [name, id, token, now + delay, error]
        ).affected
        outcome = .retryAt(now + delay)
      }
      guard changed == 1 else { throw QueueError.leaseLost(receipt: receipt) }
      return outcome
    }
  }

  func extendLease(_ receipt: String, milliseconds: Int64) throws -> ClaimedLease {
    let (id, token) = try Self.parse(receipt)
    let fresh = Self.token()
    let until = Self.now() + max(1, milliseconds)
    let changed = try queues.run {
      try $0.query(
        """
        UPDATE queue_messages SET lease_until = $4, lease_token = $5
        WHERE queue = $1 AND id = $2 AND lease_token = $3 AND state = 'inflight'
        """, [name, id, token, until, fresh]
      ).affected
    }
    guard changed == 1 else { throw QueueError.leaseLost(receipt: receipt) }
    return ClaimedLease(receipt: id + "." + fresh, expiresAt: until)
  }

  func stats() throws -> QueueStats {
    let now = Self.now()
    let row = try queues.run {
      try $0.query(
        """
        SELECT count(*) FILTER (WHERE state = 'ready' AND ready_at <= $2),
          count(*) FILTER (WHERE state = 'ready' AND ready_at > $2),
          count(*) FILTER (WHERE state = 'inflight'), count(*) FILTER (WHERE state = 'done'),
          count(*) FILTER (WHERE state = 'dead'), min(ready_at) FILTER (WHERE state = 'ready' AND ready_at <= $2)
        FROM queue_messages WHERE queue = $1
        """, [name, now])[0]
    }
    var stats = QueueStats()
    stats.ready = row.int(0)
    stats.delayed = row.int(1)
    stats.inFlight = row.int(2)
    stats.done = row.int(3)
    stats.dead = row.int(4)
    stats.oldestReadyAgeMilliseconds = row.optionalInt64(5).map { now - $0 }
    return stats
  }

  func peek(_ state: MessageState, limit: Int) throws -> [StoredMessage] {
    let (column, stored) = Self.columns(state)
    return try queues.run {
      try $0.query(
        """
        SELECT id, receives, \(column), published_at, last_error, body FROM queue_messages
        WHERE queue = $1 AND state = $2 ORDER BY \(column), seq LIMIT $3
        """, [name, stored, max(0, limit)]
      ).all.map { row in
        StoredMessage(
          id: row.string(0), state: state, receiveCount: row.int(1), time: row.int64(2),
          publishedAt: row.int64(3), lastError: row.optionalString(4), body: Self.bytes(row.string(5)))
      }
    }
  }

  func replay(from state: MessageState, id: String?) throws -> [String] {
    guard state == .done || state == .dead else { throw QueueError.invalidPolicy("replay reads done/ or dead/ only") }
    let replayed = try queues.run {
      try $0.query(
        """
        WITH replayed AS (
          UPDATE queue_messages SET state = 'ready', ready_at = $4, receives = 0, settled_at = NULL
          WHERE queue = $1 AND state = $2 AND ($3::text IS NULL OR id = $3) RETURNING id, seq)
        SELECT id FROM replayed ORDER BY seq
        """, [name, state == .done ? "done" : "dead", id, Self.now()]
      ).all.map { $0.string(0) }
    }
    if let id, replayed.isEmpty { throw QueueError.messageNotFound(id: id) }
    return replayed
  }

  func purge(_ state: MessageState) throws -> Int {
    guard state == .done || state == .dead else { throw QueueError.invalidPolicy("purge empties done/ or dead/ only") }
    return try queues.run {
      try $0.query(
        "DELETE FROM queue_messages WHERE queue = $1 AND state = $2", [name, state == .done ? "done" : "dead"]
      )
      .affected
    }
  }

  func reap() throws -> ReapReport {
    let now = Self.now()
    return try queues.run { connection in
      let dead = try connection.query(
        """
        UPDATE queue_messages SET state = 'dead', settled_at = $2, lease_until = NULL, lease_token = NULL,
          last_error = 'the lease expired on the last attempt (' || receives || ' of ' || $3 || ')'
        WHERE queue = $1 AND state = 'inflight' AND lease_until <= $2 AND receives >= $3
        """, [name, now, policy.maxAttempts]
      ).affected
      let returned = try connection.query(
        """
        UPDATE queue_messages SET state = 'ready', ready_at = $2, lease_until = NULL, lease_token = NULL
        WHERE queue = $1 AND state = 'inflight' AND lease_until <= $2
        """, [name, now]
      ).affected
      var report = ReapReport()
      report.returned = returned
      report.deadLettered = dead
      return report
    }
  }

  /// The column that orders `state`'s messages (and is their `time`), and the state as stored.
  private static func columns(_ state: MessageState) -> (column: String, stored: String) {
    switch state {
    case .ready: ("ready_at", "ready")
    case .inFlight: ("lease_until", "inflight")
    case .done: ("settled_at", "done")
    case .dead: ("settled_at", "dead")
    }
  }

  /// A receipt's message id and lease token.
  private static func parse(_ receipt: String) throws -> (id: String, token: String) {
    let parts = receipt.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[1].utf8.count == 32 else { throw QueueError.invalidReceipt(receipt) }
    return (String(parts[0]), String(parts[1]))
  }

  /// Milliseconds since the epoch.
  static func now() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
  }

  /// 128 random bits as hex: a lease token nobody can guess.
  private static func token() -> String {
    var generator = SystemRandomNumberGenerator()
    return hex64(generator.next()) + hex64(generator.next())
  }

  /// An id that sorts by publication time: milliseconds, then random bits.
  private static func newID(now: Int64) -> String {
    var generator = SystemRandomNumberGenerator()
    return "m" + hex64(UInt64(now)) + hex64(generator.next())
  }

  private static func hex64(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  /// Bytes as hex (bound as text, decoded by the server: bodies stay bytes, never text).
  static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 15)])
    }
    return String(decoding: text, as: UTF8.self)
  }

  /// A `bytea` column in text format (`\x` and hex) as bytes.
  private static func bytes(_ text: String) -> [UInt8] {
    var bytes = [UInt8]()
    var utf8 = text.utf8.dropFirst(2).makeIterator()
    func value(_ digit: UInt8) -> UInt8 { digit <= 57 ? digit - 48 : (digit | 0x20) - 87 }
    while let high = utf8.next(), let low = utf8.next() { bytes.append(value(high) << 4 | value(low)) }
    return bytes
  }
}
