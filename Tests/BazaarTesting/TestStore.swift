package import BazaarCore
package import BazaarSQL
package import BazaarStore
internal import Foundation
internal import GRDB

/// The real SQLite store on a file of its own in a temporary directory (removed with it), with
/// `faults` to inject at the SQL seam: what the use-case tests run on, so they exercise the
/// repositories, the schema's rules and the transactions the shop runs.
package final class TestStore: Store {
  /// Armed by a test for the length of a closure (`faults.during(.statement("…")) { … }`).
  package let faults = SQLFaults()
  /// The store itself.
  package let sqlite: SQLiteStore
  private let directory: String

  /// A fresh, empty shop. A machine that cannot make a temporary file stops the test run.
  package init() {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("bazaar-test-\(UUID().uuidString)").path
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      sqlite = SQLiteStore(try BazaarDatabase(path: directory + "/bazaar.sqlite"), interceptor: faults)
    } catch {
      fatalError("cannot create a test database in \(directory): \(error)")
    }
  }

  deinit {
    try? sqlite.database.close()
    try? FileManager.default.removeItem(atPath: directory)
  }

  package func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T { try sqlite.write(body) }
  package func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T { try sqlite.read(body) }
  package func snapshot<T>(_ body: () throws -> T) throws -> T { try sqlite.snapshot(body) }
  package func writeJoined<T>(_ body: (any StoreTransaction) throws -> T) throws -> T { try sqlite.writeJoined(body) }

  /// The committed orders, products, payments, shipments and events, read back through the
  /// repositories (and the outbox's rows as stored), for assertions. A database that cannot be
  /// read stops the test run, loudly.
  package var state: State {
    do {
      return try readState()
    } catch {
      fatalError("cannot read the test database: \(error)")
    }
  }

  private func readState() throws -> State {
    try sqlite.database.writer.read { db in
      let sql = GRDBConnection(db: db)
      let tx = SQLTransaction(sql)
      func ids(_ table: String) throws -> [String] {
        try sql.query("SELECT id FROM \(table) ORDER BY seq", []) { $0.text(0) }
      }
      var state = State()
      for id in try ids("orders") {
        state.orders[OrderID(rawValue: id)] = try tx.orders.order(id: OrderID(rawValue: id))
      }
      for id in try ids("products") {
        state.products[ProductID(rawValue: id)] = try tx.products.product(id: ProductID(rawValue: id))
      }
      state.payments = try ids("payments").compactMap { try tx.payments.payment(id: PaymentID(rawValue: $0)) }
      state.shipments = try ids("shipments").compactMap { try tx.shipments.shipment(id: ShipmentID(rawValue: $0)) }
      state.outbox = try sql.query("SELECT id, type, event, relayed_at FROM outbox ORDER BY seq", []) { row in
        State.OutboxRow(
          event: PendingEvent(id: row.text(0), type: row.text(1), json: row.text(2)),
          relayedAt: row.optionalTimestamp(3))
      }
      return state
    }
  }

  /// How many distinct renditions `media` keeps.
  package func mediaRows() throws -> Int {
    try sqlite.database.writer.read { db in
      try GRDBConnection(db: db).query("SELECT count(*) FROM media", []) { $0.int(0) }[0]
    }
  }

  /// What `state` reads.
  package struct State: Sendable {
    package var orders: [OrderID: Order] = [:]
    package var products: [ProductID: Product] = [:]
    /// Payment attempts in the order they were made.
    package var payments: [Payment] = []
    /// Shipments in the order they were requested.
    package var shipments: [Shipment] = []
    /// The outbox, oldest first.
    package var outbox: [OutboxRow] = []

    /// One outbox row.
    package struct OutboxRow: Sendable, Equatable {
      package var event: PendingEvent
      package var relayedAt: Timestamp?
    }
  }
}
