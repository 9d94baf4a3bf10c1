/// Requests made with an idempotency key (Stripe's `Idempotency-Key`): the first success's
/// answer is kept, in the transaction of the change it answers, and replayed for the same key
/// and the same request; the key with another request is refused. Keys belong to the caller
/// (two buyers may use the same one) and are kept `lifetime` seconds (24 h). Failures are not
/// kept, so a refused request may be retried with its key. Two requests with one key at once
/// queue on the store's write lock: the second replays the first's answer.
package struct IdempotentCalls: Sendable {
  package var store: any Store
  package var clock: any Clock
  /// Seconds a record is kept.
  package var lifetime: Int64 = 86_400

  /// The longest key accepted, in Unicode scalars.
  package static let maxKeyLength = 255

  package init(store: any Store, clock: any Clock) {
    self.store = store
    self.clock = clock
  }

  /// What `run` answered: the request's own result, or the first answer to its key.
  package enum Outcome<Value> {
    case fresh(Value)
    case replayed(status: Int, response: String)
  }

  /// Runs `body` (the function: its use case and the encoding of its answer) for `caller`.
  /// With a `key`, the use case's writes and the kept answer commit in one transaction
  /// (`Store.writeJoined`), after the key is looked up in it; without one, `body` runs as it is.
  /// `request` names the function and its canonical input; `status` is a success's status.
  package func run<Value>(
    key: String?, of caller: AccessClaims, request: String, status: Int,
    _ body: () throws -> (value: Value, encoded: String)
  ) throws -> Outcome<Value> {
    guard let key else { return .fresh(try body().value) }
    try Self.check(key)
    let owner = UserID(rawValue: caller.subject)
    let now = clock.now()
    return try store.writeJoined { tx in
      if let record = try tx.idempotency.record(of: owner, key: key), now < record.expiresAt {
        guard record.request == request else { throw IdempotencyError.keyReused }
        return .replayed(status: record.status, response: record.response)
      }
      let (value, encoded) = try body()
      try tx.idempotency.save(
        IdempotencyRecord(
          userID: owner, key: key, request: request, status: status, response: encoded, createdAt: now,
          expiresAt: now.adding(seconds: lifetime)))
      try tx.idempotency.prune(before: now, limit: 100)
      return .fresh(value)
    }
  }

  /// Refuses a key that is empty, too long, or holds control characters.
  static func check(_ key: String) throws {
    let scalars = key.unicodeScalars
    let control = scalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    guard !scalars.isEmpty, scalars.count <= maxKeyLength, !control else {
      throw ValidationFailure([
        FieldError(
          field: "idempotencyKey", code: "invalid",
          message: "idempotencyKey must be 1 to \(maxKeyLength) characters without control characters")
      ])
    }
  }
}

/// Why a request with an idempotency key was refused.
package enum IdempotencyError: Error, Equatable, Sendable {
  /// The key was used before with another request.
  case keyReused
}
