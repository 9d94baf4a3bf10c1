/// The connection of the transaction the running task is inside, and the store that opened it:
/// a snapshot's, whose `read`s all run on it, or a joined write's (`Store.writeJoined`), whose
/// `write`s and `read`s all run on it. Only the task that opened the scope sees it, inside the
/// closure that holds the connection.
package final class ConnectionScope: @unchecked Sendable {
  /// What the scope's transaction is for.
  package enum Kind: Sendable {
    case snapshot
    case joinedWrite
  }

  /// The store's identity: its database's path (SQLite) or its pool (PostgreSQL).
  private let owner: AnyHashable
  private let kind: Kind
  private let connection: any SQLConnection

  private init(owner: AnyHashable, kind: Kind, connection: any SQLConnection) {
    self.owner = owner
    self.kind = kind
    self.connection = connection
  }

  @TaskLocal private static var current: ConnectionScope?

  /// The connection of the `kind` scope `owner` opened, when the running task is inside it.
  package static func connection(of owner: AnyHashable, _ kind: Kind) -> (any SQLConnection)? {
    guard let scope = current, scope.owner == owner, scope.kind == kind else { return nil }
    return scope.connection
  }

  /// The connection of any scope `owner` opened (a read joins either kind).
  package static func connection(of owner: AnyHashable) -> (any SQLConnection)? {
    guard let scope = current, scope.owner == owner else { return nil }
    return scope.connection
  }

  /// Runs `body` inside a `kind` scope of `owner` on `connection`.
  package static func with<T>(
    _ connection: any SQLConnection, of owner: AnyHashable, _ kind: Kind, _ body: () throws -> T
  ) throws -> T {
    try $current.withValue(ConnectionScope(owner: owner, kind: kind, connection: connection)) { try body() }
  }
}
