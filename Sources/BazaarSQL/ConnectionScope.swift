/// The connection of the snapshot the running task is in, and the store that opened it: every
/// `read` inside the snapshot runs on that connection instead of taking another. Only the task
/// that opened the scope sees it, inside the closure that holds the connection.
package final class ConnectionScope: @unchecked Sendable {
  /// The store's identity: its database's path (SQLite) or its pool (PostgreSQL).
  private let owner: AnyHashable
  private let connection: any SQLConnection

  private init(owner: AnyHashable, connection: any SQLConnection) {
    self.owner = owner
    self.connection = connection
  }

  @TaskLocal private static var current: ConnectionScope?

  /// The connection of the scope `owner` opened, when the running task is inside it.
  package static func connection(of owner: AnyHashable) -> (any SQLConnection)? {
    guard let scope = current, scope.owner == owner else { return nil }
    return scope.connection
  }

  /// Runs `body` inside a scope of `owner` on `connection`.
  package static func with<T>(
    _ connection: any SQLConnection, of owner: AnyHashable, _ body: () throws -> T
  ) throws
    -> T
  {
    try $current.withValue(ConnectionScope(owner: owner, connection: connection)) { try body() }
  }
}
