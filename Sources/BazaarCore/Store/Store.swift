/// The shop's data, reached through a unit of work.
///
/// A use case that changes anything says so in one `write`: every repository call inside the
/// closure belongs to one transaction, reads inside it see its own writes, and the whole change
/// commits when the closure returns or leaves no trace when it throws:
///
/// ```swift
/// try store.write { tx in
///   try tx.users.replacePasswordHash(of: id, with: hash, changedAt: now)
///   try tx.tokens.revokeAll(of: id.rawValue, role: .user, except: kept, at: now)
/// }
/// ```
///
/// Writers queue behind each other (for SQLite, `BEGIN IMMEDIATE` on the busy timeout); a store
/// that stays busy throws `StoreBusy`.
package protocol Store: Sendable {
  /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
  func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
  /// Runs `body` against committed data, for lookups that change nothing. Each statement sees
  /// the latest commit (SQLite runs them in autocommit mode, the cheapest read); a use case
  /// that needs several reads to agree with each other runs them in `write`. Writing inside
  /// `read` is a programming error: adapters refuse it.
  func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
  /// Runs `body`, whose `read`s all see one snapshot: for a request made only of reads (the
  /// token's revocation, an order, its payment and its shipments), one transaction instead of
  /// one per statement. `write` inside it is a programming error.
  func snapshot<T>(_ body: () throws -> T) throws -> T
  /// Runs `body` in one write transaction that every `write` and `read` inside it joins, so
  /// what `body` writes itself commits with its use case's writes or not at all: how an
  /// idempotency key's answer is kept with the change it answers (`IdempotentCalls`). A use
  /// case that must commit before calling another service (a payment gateway) is never run
  /// inside one.
  func writeJoined<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
}

/// A store on a database server (PostgreSQL), built by a program that links its client.
package protocol ServerStore: Store {
  /// Closes the idle connections.
  func close()
  /// What keeps the server from serving, in words; empty when it answers.
  func readinessProblems() -> [String]
  /// Calls `changed` (on a thread of its own) after every commit that adds events to the
  /// outbox, until the returned watch is stopped: the scheduler's wake-up.
  func watchOutbox(_ changed: @escaping @Sendable () -> Void) throws -> any OutboxWatch
}

/// A running `ServerStore.watchOutbox`.
package protocol OutboxWatch: Sendable {
  /// Stops watching; `changed` is not called after this returns.
  func stop()
}

/// Whether the running task promised to only read (`FunctionDefinition.readsOnly`): the
/// in-process runner then runs it on the task that received the request, without a thread hop,
/// and a `write` there would hold that task's thread on a lock. Stores refuse such a write.
package enum StoreAccess {
  @TaskLocal package static var readsOnly = false
}

/// A `write` from a function that promised to only read: a programming error, answered 500.
package struct WriteInReadOnlyFunction: Error, CustomStringConvertible {
  package init() {}
  package var description: String { "a function declared readsOnly began a write transaction" }
}

/// The repositories of one transaction. Valid only inside the closure that received it.
package protocol StoreTransaction {
  /// User accounts.
  var users: any UserRepository { get }
  /// Seller accounts.
  var sellers: any SellerRepository { get }
  /// Products.
  var products: any ProductRepository { get }
  /// Stored photo renditions, by digest.
  var media: any MediaRepository { get }
  /// Issued and revoked access tokens.
  var tokens: any TokenRegistry { get }
  /// Orders and their lines.
  var orders: any OrderRepository { get }
  /// Events waiting to be relayed.
  var outbox: any OutboxRepository { get }
  /// Answers kept for idempotency keys.
  var idempotency: any IdempotencyRepository { get }
  /// Payment attempts.
  var payments: any PaymentRepository { get }
  /// Shipments and their lines.
  var shipments: any ShipmentRepository { get }
  /// The events each consumer has processed.
  var processedEvents: any ProcessedEventRepository { get }
  /// Failed sign-ins, for throttling.
  var loginFailures: any LoginFailureRepository { get }
}

/// The store could not serve the request right now; the caller may retry.
package struct StoreBusy: Error, Sendable {
  /// Why, in words a client may read (no host, no statement).
  package var reason: String

  package init(_ reason: String = "the database stayed locked by other writers") {
    self.reason = reason
  }

  /// A database server that did not answer, or had no connection to spare.
  package static let unreachable = StoreBusy("the database server did not answer or had no connection to spare")
}

/// The store refuses writes because its file (or its directory) is read-only; it serves writes
/// again once it is writable, without a restart.
package struct StoreReadOnly: Error, Sendable {
  package init() {}
}

/// The store's file is gone or was replaced under the process: writing would lose the data in a
/// file nobody else sees, so nothing is served until an operator restores it.
package struct StoreMissing: Error, Sendable {
  package var detail: String
  package init(_ detail: String) { self.detail = detail }
}
