package import BazaarCore
package import QueuePort

#if canImport(Glibc)
  internal import Glibc
#endif

/// The queues in a PostgreSQL database (`BAZAAR_QUEUE_URL`), with the spool's semantics
/// (docs/queues.md): a message is a row; a claim takes the oldest ready row with `FOR UPDATE
/// SKIP LOCKED` (the pattern of pgmq, Oban and solid_queue), so consumers on any host take
/// different messages without waiting on each other; a receipt is the message id and a random
/// lease token, so a stale receipt settles nothing. Publishing notifies `bazaar_queue`.
package final class PostgresQueues: MessageQueues, @unchecked Sendable {
  // The pool is thread-safe; nothing else is mutable.
  private let pool: ConnectionPool
  private let url: String

  /// Connects lazily to `url`; the first connection creates the queue tables when missing.
  package init(url: String, connections: Int = 4, busyTimeout: Double = 5) throws {
    guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else { throw PostgresURLError() }
    self.url = url
    pool = .migrated(
      url: url, limit: connections, busyTimeout: busyTimeout, name: "bazaar-queue",
      migrations: PostgresMigrations.queue)
  }

  package var location: String { PostgresStore.redacted(url) }

  package func queue(_ name: String) throws -> any MessageQueue {
    try QueueName.validate(name)
    // One round trip: the scheduler opens its queue for every claim, ack and nack.
    let rows = try run {
      try $0.query(
        """
        WITH created AS (
          INSERT INTO queue_policies (queue, policy) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING policy)
        SELECT policy FROM created UNION ALL SELECT policy FROM queue_policies WHERE queue = $1
        """, [name, Self.encode(QueuePolicy())])
    }
    return PostgresQueue(name: name, policy: Self.decode(rows[0].string(0)), queues: self)
  }

  package func existingQueue(_ name: String) throws -> any MessageQueue {
    try QueueName.validate(name)
    return try run { try queue(name, on: $0) }
  }

  package func configure(_ name: String, policy: QueuePolicy) throws -> any MessageQueue {
    try QueueName.validate(name)
    try policy.validate()
    return try run {
      try Self.save(policy, of: name, on: $0)
      return try queue(name, on: $0)
    }
  }

  /// Writes the policy of the queue `name`, creating the queue (`configure`, and the copy of a
  /// spool's queues).
  static func save(_ policy: QueuePolicy, of name: String, on connection: PostgresConnection) throws {
    try connection.query(
      "INSERT INTO queue_policies (queue, policy) VALUES ($1, $2) ON CONFLICT (queue) DO UPDATE SET policy = $2",
      [name, encode(policy)])
  }

  package func queueNames() throws -> [String] {
    try run { try $0.query("SELECT queue FROM queue_policies ORDER BY queue").all.map { $0.string(0) } }
  }

  /// Every publish to any queue of this database notifies `bazaar_queue`; a consumer LISTENs.
  package func wakeUp(for names: [String]) -> QueueWakeUp {
    .notification { [self] changed in
      try run { _ in try PostgresListener(url: url, channel: "bazaar_queue", notified: changed) }
    }
  }

  /// Closes the idle connections.
  package func close() { pool.close() }

  private func queue(_ name: String, on connection: PostgresConnection) throws -> PostgresQueue {
    let rows = try connection.query("SELECT policy FROM queue_policies WHERE queue = $1", [name])
    guard rows.count == 1 else { throw QueueError.queueNotFound(name) }
    return PostgresQueue(name: name, policy: Self.decode(rows[0].string(0)), queues: self)
  }

  /// Runs `body` on a pooled connection, the server's busy answers as `StoreBusy`.
  func run<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
    do {
      return try pool.with(body)
    } catch let error as PostgresError where error.isUnreachable {
      throw StoreBusy.unreachable
    } catch let error as PostgresError where error.isBusy || error.isRetryable {
      throw StoreBusy()
    } catch let error as PostgresError {
      throw PostgresFailure(sqlState: error.sqlState, message: error.message)
    }
  }

  /// A policy as stored: `maxAttempts retainAcked maxMessageBytes visibilityTimeout backoff`.
  static func encode(_ policy: QueuePolicy) -> String {
    "\(policy.maxAttempts) \(policy.retainAcked) \(policy.maxMessageBytes) \(policy.visibilityTimeoutMilliseconds) "
      + policy.backoff.description
  }

  static func decode(_ text: String) -> QueuePolicy {
    let parts = text.split(separator: " ").map(String.init)
    var policy = QueuePolicy()
    guard parts.count == 5 else { return policy }
    policy.maxAttempts = Int(parts[0]) ?? policy.maxAttempts
    policy.retainAcked = parts[1] == "true"
    policy.maxMessageBytes = Int(parts[2]) ?? policy.maxMessageBytes
    policy.visibilityTimeoutMilliseconds = Int64(parts[3]) ?? policy.visibilityTimeoutMilliseconds
    policy.backoff = RetryBackoff(parts[4]) ?? policy.backoff
    return policy
  }

  /// The queue tables (one migration of `PostgresMigrations.queue`).
  static let schema = """
    CREATE TABLE queue_policies (
      queue TEXT COLLATE "C" PRIMARY KEY,
      policy TEXT NOT NULL
    );
    -- state: ready (delayed while ready_at is ahead), inflight (leased until lease_until),
    -- done (kept when the queue retains acked messages) or dead.
    CREATE TABLE queue_messages (
      seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      queue TEXT COLLATE "C" NOT NULL REFERENCES queue_policies (queue),
      id TEXT COLLATE "C" NOT NULL UNIQUE,
      state TEXT NOT NULL CHECK (state IN ('ready', 'inflight', 'done', 'dead')),
      body BYTEA NOT NULL,
      published_at BIGINT NOT NULL,
      ready_at BIGINT NOT NULL,
      lease_until BIGINT,
      lease_token TEXT,
      receives INTEGER NOT NULL DEFAULT 0 CHECK (receives >= 0),
      last_error TEXT,
      settled_at BIGINT,
      CHECK ((state = 'inflight') = (lease_until IS NOT NULL AND lease_token IS NOT NULL)),
      CHECK ((state IN ('done', 'dead')) = (settled_at IS NOT NULL))
    );
    CREATE INDEX queue_messages_ready ON queue_messages (queue, ready_at, seq) WHERE state = 'ready';
    CREATE INDEX queue_messages_leased ON queue_messages (queue, lease_until) WHERE state = 'inflight';
    CREATE INDEX queue_messages_settled ON queue_messages (queue, state, settled_at) WHERE state IN ('done', 'dead');
    """
}
