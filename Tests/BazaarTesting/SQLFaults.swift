package import BazaarCore
package import BazaarSQL
internal import Synchronization

/// Faults injected at the SQL seam, armed for the length of a closure (`during`): a statement
/// whose SQL contains a fragment fails, or the Nth statement, or the commit; or the store
/// answers busy. What the use case wrote before the fault must leave no trace.
package final class SQLFaults: SQLInterceptor {
  /// One fault.
  package enum Fault: Sendable, Equatable {
    /// Every statement whose SQL contains this fragment (`"INSERT INTO outbox"`) fails.
    case statement(String)
    /// The Nth statement run while armed (1-based) fails.
    case nth(Int)
    /// Every write transaction fails as it commits.
    case commit
    /// Every statement whose SQL contains this fragment answers `StoreBusy`.
    case busy(String)
  }

  private let state = Mutex<(fault: Fault?, count: Int)>((nil, 0))

  package init() {}

  /// Runs `body` with `fault` armed; as before afterwards, however `body` ends. Inside a call
  /// that armed it already (a write joining a `writeJoined`), it stays armed and counting.
  package func during<T>(_ fault: Fault, _ body: () throws -> T) rethrows -> T {
    let before = state.withLock { state in
      let before = state
      if state.fault != fault { state = (fault, 0) }
      return before
    }
    defer { if before.fault != fault { state.withLock { $0 = before } } }
    return try body()
  }

  package func willRun(_ sql: String) throws {
    let (armed, count) = state.withLock { state in
      state.count += 1
      return (state.fault, state.count)
    }
    guard let fault = armed else { return }
    switch fault {
    case .statement(let fragment): if sql.contains(fragment) { throw InjectedFailure(fault) }
    case .nth(let n): if count == n { throw InjectedFailure(fault) }
    case .busy(let fragment): if sql.contains(fragment) { throw StoreBusy() }
    case .commit: break
    }
  }

  package func willCommit() throws {
    if let fault = state.withLock({ $0.fault }), fault == .commit { throw InjectedFailure(fault) }
  }
}

/// The error `SQLFaults` throws.
package struct InjectedFailure: Error, Equatable {
  /// The fault that struck.
  package var fault: SQLFaults.Fault

  package init(_ fault: SQLFaults.Fault) {
    self.fault = fault
  }
}

extension SQLFaults {
  /// `base` (a store these faults watch) with `fault` armed during every call made through it:
  /// hand it to a use case to fail it at the SQL seam, and read `base` itself to see that
  /// nothing was left behind.
  package func store(_ base: any Store, failing fault: Fault) -> some Store {
    FaultyStore(base: base, faults: self, fault: fault)
  }
}

private struct FaultyStore: Store {
  let base: any Store
  let faults: SQLFaults
  let fault: SQLFaults.Fault

  func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try faults.during(fault) { try base.write(body) }
  }

  func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try faults.during(fault) { try base.read(body) }
  }

  func snapshot<T>(_ body: () throws -> T) throws -> T {
    try faults.during(fault) { try base.snapshot(body) }
  }

  func writeJoined<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try faults.during(fault) { try base.writeJoined(body) }
  }
}

/// The statements tests fail, named by the repository call that runs each.
package enum Statement {
  package static let insertOrder = "INSERT INTO orders ("
  package static let updateOrder = "UPDATE orders SET"
  package static let insertProduct = "INSERT INTO products ("
  package static let adjustReserved = "UPDATE product_variants SET reserved"
  package static let consumeReserved = "UPDATE product_variants SET stock = stock -"
  package static let appendEvent = "INSERT INTO outbox ("
  package static let saveIdempotency = "INSERT INTO idempotency_keys"
  package static let recordIssued = "INSERT INTO issued_tokens (jti, subject, role, issued_at, expires_at) VALUES"
  package static let revokeAll = "UPDATE issued_tokens SET revoked_at"
  package static let insertShipment = "INSERT INTO shipments ("
  package static let updateShipment = "UPDATE shipments SET"
}
