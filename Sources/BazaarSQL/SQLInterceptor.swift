/// Sees every statement a store's repositories run and every commit it makes: how tests inject
/// faults at the SQL seam (BazaarTesting's `SQLFaults`: fail a statement, the Nth one, the
/// commit, or answer busy). A store without one runs its connections as they are.
package protocol SQLInterceptor: Sendable {
  /// Called before `sql` runs; throwing fails that statement.
  func willRun(_ sql: String) throws
  /// Called before a write transaction commits; throwing rolls it back.
  func willCommit() throws
}

/// `connection` with its statements passing `interceptor` first; `connection` itself without one.
package func intercepted(_ connection: any SQLConnection, by interceptor: (any SQLInterceptor)?) -> any SQLConnection {
  guard let interceptor else { return connection }
  return InterceptedConnection(base: connection, interceptor: interceptor)
}

private struct InterceptedConnection: SQLConnection {
  let base: any SQLConnection
  let interceptor: any SQLInterceptor

  var dialect: SQLDialect { base.dialect }
  var locksReads: Bool { base.locksReads }

  func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int {
    try interceptor.willRun(sql)
    return try base.execute(sql, arguments)
  }

  func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (any SQLRow) throws -> Void) throws {
    try interceptor.willRun(sql)
    try base.forEachRow(sql, arguments, body)
  }

  func isUniqueViolation(_ error: any Error, table: String, column: String) -> Bool {
    base.isUniqueViolation(error, table: table, column: column)
  }
}
