internal import BazaarSQL
package import QueuePort

/// Where `bazaar db copy` reads a shop from: its tables as text, under a lock that keeps
/// writers out (the SQLite adapter's `SQLiteExport`).
package protocol ShopSource {
  /// Every row of `table` as the text `expressions` make of its columns, in `order` (nil for NULL).
  func rows(_ table: String, expressions: [String], order: String) throws -> [[String?]]
  /// One integer a fixed query answers.
  func integer(_ sql: String) throws -> Int64
}

/// What a copy moved and checked.
package struct ShopCopyReport: Sendable {
  /// Rows per table.
  package var tables: [(name: String, rows: Int)] = []
  /// Messages per queue.
  package var messages: [(queue: String, count: Int)] = []
  /// The money and stock totals, equal on both sides.
  package var totals: [(name: String, value: Int64)] = []
}

/// A copy found the two sides different after loading: nothing was committed.
package struct ShopCopyMismatch: Error, CustomStringConvertible {
  package var check: String
  package var source: Int64
  package var copied: Int64
  package var description: String {
    "after copying, \(check) is \(copied) in PostgreSQL but \(source) in SQLite; nothing was committed"
  }
}

/// The PostgreSQL database already holds data: a copy goes into an empty one only.
package struct ShopCopyTargetNotEmpty: Error, CustomStringConvertible {
  package var rows: Int64
  package var description: String {
    "the PostgreSQL database already holds \(rows) rows of a shop or its queues; copy into an empty database"
  }
}

/// `bazaar db copy --to postgres://…`: a SQLite shop and its spool's messages into an empty
/// PostgreSQL database, in one transaction that commits only once every table's count and the
/// money and stock totals match the source.
package enum PostgresShopImport {
  /// The tables in foreign-key order (`ShopSchema`'s), with the columns both databases hold,
  /// how each is read as text, and their key's order.
  static let tables: [(name: String, columns: [String], texts: [String], order: String)] = ShopSchema.tables.map {
    ($0.name, $0.sharedColumns, $0.sharedColumnTexts, $0.keyOrder)
  }

  /// Money and stock, summed the same way on both sides.
  static let totals: [(name: String, sql: String)] = [
    ("orders.total", "SELECT coalesce(sum(total), 0) FROM orders"),
    ("order_lines.line_total", "SELECT coalesce(sum(line_total), 0) FROM order_lines"),
    ("payments.amount", "SELECT coalesce(sum(amount), 0) FROM payments"),
    ("payments.canceled_amount", "SELECT coalesce(sum(canceled_amount), 0) FROM payments"),
    ("product_variants.stock", "SELECT coalesce(sum(stock), 0) FROM product_variants"),
    ("product_variants.reserved", "SELECT coalesce(sum(reserved), 0) FROM product_variants"),
  ]

  /// Where a test may stop a copy dead (`fault`): every table loaded, or the messages too, and
  /// the transaction not yet committed.
  package enum FaultPoint: String, Sendable {
    case afterTables = "after-tables"
    case beforeCommit = "before-commit"
  }

  /// Copies `source` and the messages of `queues` (nil: none) into the empty database at `url`.
  /// `fault` is called at each `FaultPoint` (a debug build's crash switch; nothing otherwise).
  package static func copy(
    from source: any ShopSource, queues: (any MessageQueues)?, to url: String,
    fault: (FaultPoint) -> Void = { _ in }
  ) throws -> ShopCopyReport {
    let connection: PostgresConnection
    do {
      connection = try PostgresConnection(url: url)
      try PostgresMigrations.migrate(connection, PostgresMigrations.shop)
      try PostgresMigrations.migrate(connection, PostgresMigrations.queue)
    } catch let error as PostgresError {
      throw PostgresFailure(sqlState: error.sqlState, message: error.message)
    }
    do {
      try connection.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
      let held = try connection.query(
        "SELECT "
          + (tables.map { "(SELECT count(*) FROM \($0.name))" } + ["(SELECT count(*) FROM queue_messages)"])
          .joined(separator: " + "))[0].int64(0)
      guard held == 0 else { throw ShopCopyTargetNotEmpty(rows: held) }
      var report = ShopCopyReport()
      for table in tables {
        let rows = try source.rows(table.name, expressions: table.texts, order: table.order)
        try connection.copy(into: table.name, columns: table.columns, rows: rows)
        let copied = try connection.query("SELECT count(*) FROM \(table.name)")[0].int64(0)
        guard copied == rows.count else {
          throw ShopCopyMismatch(check: "the row count of \(table.name)", source: Int64(rows.count), copied: copied)
        }
        if table.columns.first == "seq" {
          try connection.query(
            "SELECT setval(pg_get_serial_sequence('\(table.name)', 'seq'), coalesce(max(seq), 0) + 1, false) "
              + "FROM \(table.name)")
        }
        report.tables.append((table.name, rows.count))
      }
      for total in totals {
        let expected = try source.integer(total.sql)
        let copied = try connection.query(total.sql)[0].int64(0)
        guard copied == expected else { throw ShopCopyMismatch(check: total.name, source: expected, copied: copied) }
        report.totals.append((total.name, copied))
      }
      fault(.afterTables)
      if let queues { report.messages = try copyMessages(of: queues, into: connection) }
      fault(.beforeCommit)
      try connection.execute("COMMIT")
      return report
    } catch let error as PostgresError {
      try? connection.execute("ROLLBACK")
      throw PostgresFailure(sqlState: error.sqlState, message: error.message)
    } catch {
      try? connection.execute("ROLLBACK")
      throw error
    }
  }

  /// Every readable message of every queue, with its queue's policy: waiting ones stay
  /// waiting (a leased one is ready again, its attempts kept), done and dead ones keep their state.
  private static func copyMessages(
    of queues: any MessageQueues, into connection: PostgresConnection
  ) throws -> [(queue: String, count: Int)] {
    var counts: [(queue: String, count: Int)] = []
    let now = PostgresQueue.now()
    for name in try queues.queueNames() {
      let queue = try queues.existingQueue(name)
      try PostgresQueues.save(queue.policy, of: name, on: connection)
      var rows: [[String?]] = []
      for state in [MessageState.ready, .inFlight, .done, .dead] {
        for message in try queue.peek(state, limit: Int.max) {
          guard let body = message.body else { continue }
          let stored = state == .done ? "done" : state == .dead ? "dead" : "ready"
          let readyAt = state == .ready ? message.time : now
          let settledAt = state == .done || state == .dead ? String(message.time) : nil
          rows.append([
            name, message.id, stored, "\\x" + PostgresQueue.hex(body), String(message.publishedAt ?? message.time),
            String(readyAt), String(message.receiveCount), message.lastError, settledAt,
          ])
        }
      }
      try connection.copy(
        into: "queue_messages",
        columns: [
          "queue", "id", "state", "body", "published_at", "ready_at", "receives", "last_error", "settled_at",
        ], rows: rows)
      counts.append((name, rows.count))
    }
    return counts
  }
}
