internal import BazaarCore
internal import GRDB

/// Failed sign-ins in `login_failures`.
struct SQLiteLoginFailureRepository: LoginFailureRepository {
  let db: Database

  func failures(account: String, client: String) throws -> LoginFailures? {
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(
          sql: "SELECT failures, window_start, held_until, holds FROM login_failures WHERE account = ? AND client = ?"),
        arguments: [account, client])
    else { return nil }
    return LoginFailures(
      failures: row["failures"], windowStart: Timestamp(milliseconds: row["window_start"]),
      heldUntil: (row["held_until"] as Int64?).map(Timestamp.init(milliseconds:)), holds: row["holds"])
  }

  func save(_ failures: LoginFailures, account: String, client: String, at now: Timestamp) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO login_failures (account, client, failures, window_start, held_until, holds, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (account, client) DO UPDATE SET failures = excluded.failures,
          window_start = excluded.window_start, held_until = excluded.held_until, holds = excluded.holds,
          updated_at = excluded.updated_at
        """
    ).execute(arguments: [
      account, client, failures.failures, failures.windowStart.milliseconds, failures.heldUntil?.milliseconds,
      failures.holds, now.milliseconds,
    ])
  }

  func clear(account: String, client: String) throws {
    try db.cachedStatement(sql: "DELETE FROM login_failures WHERE account = ? AND client = ?").execute(arguments: [
      account, client,
    ])
  }

  func prune(before: Timestamp) throws {
    try db.cachedStatement(
      sql: "DELETE FROM login_failures WHERE updated_at < ? AND (held_until IS NULL OR held_until < ?)"
    ).execute(arguments: [before.milliseconds, before.milliseconds])
  }
}
