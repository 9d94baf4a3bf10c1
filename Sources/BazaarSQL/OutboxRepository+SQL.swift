internal import BazaarCore
internal import BazaarJSON

/// `OutboxRepository` over `outbox`. Relays on several hosts (PostgreSQL) claim with SKIP
/// LOCKED, so they take different events instead of waiting on each other.
struct SQLOutboxRepository: OutboxRepository {
  let sql: any SQLConnection

  func append(_ event: OutboxEvent) throws {
    try sql.execute(
      "INSERT INTO outbox (id, type, subject, event, created_at) VALUES (?, ?, ?, ?, ?)",
      [event.id, event.type, event.subject, event.cloudEvent.serialized, event.time.milliseconds])
  }

  func claim(limit: Int, now: Timestamp, leaseUntil: Timestamp) throws -> [PendingEvent] {
    try sql.query(
      """
      UPDATE outbox SET claimed_until = ?
      WHERE seq IN (
        SELECT seq FROM outbox WHERE relayed_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?)
        ORDER BY seq LIMIT ?\(sql.dialect.skipLocked))
      RETURNING seq, id, type, event
      """, [leaseUntil.milliseconds, now.milliseconds, limit]
    ) { (seq: $0.integer(0), event: PendingEvent(id: $0.text(1), type: $0.text(2), json: $0.text(3))) }
    .sorted { $0.seq < $1.seq }.map(\.event)
  }

  func markRelayed(_ ids: [String], at now: Timestamp) throws {
    guard !ids.isEmpty else { return }
    try sql.execute(
      "UPDATE outbox SET relayed_at = ? WHERE id IN (\(placeholders(ids.count))) AND relayed_at IS NULL",
      [now.milliseconds] + ids.map { $0 as (any SQLBindable)? })
  }

  func stats() throws -> OutboxStats {
    try sql.queryOne(
      """
      SELECT (SELECT count(*) FROM outbox WHERE relayed_at IS NULL),
        (SELECT min(created_at) FROM outbox WHERE relayed_at IS NULL),
        (SELECT count(*) FROM outbox WHERE relayed_at IS NOT NULL)
      """, []
    ) { OutboxStats(pending: $0.int(0), oldestPending: $0.optionalTimestamp(1), relayed: $0.int(2)) }
      ?? OutboxStats(pending: 0, oldestPending: nil, relayed: 0)
  }
}

/// `IdempotencyRepository` over `idempotency_keys`.
struct SQLIdempotencyRepository: IdempotencyRepository {
  let sql: any SQLConnection

  func record(of user: UserID, key: String) throws -> IdempotencyRecord? {
    try sql.queryOne(
      """
      SELECT user_id, key, request, status, response, created_at, expires_at FROM idempotency_keys
      WHERE user_id = ? AND key = ?
      """, [user.rawValue, key]
    ) { row in
      IdempotencyRecord(
        userID: UserID(rawValue: row.text(0)), key: row.text(1), request: row.text(2), status: row.int(3),
        response: row.text(4), createdAt: row.timestamp(5), expiresAt: row.timestamp(6))
    }
  }

  func save(_ record: IdempotencyRecord) throws {
    try sql.execute(
      """
      INSERT INTO idempotency_keys (user_id, key, request, status, response, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (user_id, key) DO UPDATE SET request = excluded.request, status = excluded.status,
        response = excluded.response, created_at = excluded.created_at, expires_at = excluded.expires_at
      """,
      [
        record.userID.rawValue, record.key, record.request, record.status, record.response,
        record.createdAt.milliseconds, record.expiresAt.milliseconds,
      ])
  }

  func prune(before now: Timestamp, limit: Int) throws {
    try sql.execute(
      """
      DELETE FROM idempotency_keys WHERE (user_id, key) IN
        (SELECT user_id, key FROM idempotency_keys WHERE expires_at < ? LIMIT ?\(sql.dialect.skipLocked))
      """, [now.milliseconds, limit])
  }
}
