internal import BazaarCore

/// `TokenRegistry` over `issued_tokens`.
///
/// Every token Bazaar issues gets a row, so "revoke all of this user's other tokens" is one
/// UPDATE; a token minted elsewhere with the shared secret gets a row when it is revoked.
/// Rows are pruned a day after their token expires (an expired token is refused anyway).
struct SQLTokenRegistry: TokenRegistry {
  let sql: any SQLConnection

  func recordIssued(_ claims: AccessClaims) throws {
    try sql.execute(
      "INSERT INTO issued_tokens (jti, subject, role, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      [
        claims.tokenID, claims.subject, claims.role.rawValue, claims.issuedAt.milliseconds,
        claims.expiresAt.milliseconds,
      ])
    // Two sign-ins pruning at once take different rows (PostgreSQL) instead of colliding.
    try sql.execute(
      """
      DELETE FROM issued_tokens WHERE jti IN
        (SELECT jti FROM issued_tokens WHERE expires_at < ? LIMIT 100\(sql.dialect.skipLocked))
      """, [claims.issuedAt.adding(seconds: -86_400).milliseconds])
  }

  func revoke(_ claims: AccessClaims, at now: Timestamp) throws {
    try sql.execute(
      """
      INSERT INTO issued_tokens (jti, subject, role, issued_at, expires_at, revoked_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (jti) DO UPDATE SET revoked_at = coalesce(issued_tokens.revoked_at, excluded.revoked_at)
      """,
      [
        claims.tokenID, claims.subject, claims.role.rawValue, claims.issuedAt.milliseconds,
        claims.expiresAt.milliseconds, now.milliseconds,
      ])
  }

  func revokeAll(of subject: String, role: Role, except kept: String?, at now: Timestamp) throws {
    try sql.execute(
      """
      UPDATE issued_tokens SET revoked_at = ?
      WHERE subject = ? AND role = ? AND revoked_at IS NULL AND jti IS DISTINCT FROM ?
      """, [now.milliseconds, subject, role.rawValue, kept])
  }

  func isRevoked(tokenID: String) throws -> Bool {
    try sql.queryOne("SELECT revoked_at FROM issued_tokens WHERE jti = ?", [tokenID]) {
      $0.optionalInteger(0) != nil
    } ?? false
  }
}

/// `LoginFailureRepository` over `login_failures`.
struct SQLLoginFailureRepository: LoginFailureRepository {
  let sql: any SQLConnection

  func failures(account: String, client: String) throws -> LoginFailures? {
    try sql.queryOne(
      "SELECT failures, window_start, held_until, holds FROM login_failures WHERE account = ? AND client = ?",
      [account, client]
    ) { row in
      LoginFailures(
        failures: row.int(0), windowStart: row.timestamp(1), heldUntil: row.optionalTimestamp(2), holds: row.int(3))
    }
  }

  func save(_ failures: LoginFailures, account: String, client: String, at now: Timestamp) throws {
    try sql.execute(
      """
      INSERT INTO login_failures (account, client, failures, window_start, held_until, holds, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (account, client) DO UPDATE SET failures = excluded.failures,
        window_start = excluded.window_start, held_until = excluded.held_until, holds = excluded.holds,
        updated_at = excluded.updated_at
      """,
      [
        account, client, failures.failures, failures.windowStart.milliseconds, failures.heldUntil?.milliseconds,
        failures.holds, now.milliseconds,
      ])
  }

  func clear(account: String, client: String) throws {
    try sql.execute("DELETE FROM login_failures WHERE account = ? AND client = ?", [account, client])
  }

  func prune(before: Timestamp) throws {
    try sql.execute(
      "DELETE FROM login_failures WHERE updated_at < ? AND (held_until IS NULL OR held_until < ?)",
      [before.milliseconds, before.milliseconds])
  }
}
