package import BazaarCore
internal import GRDB

/// `TokenRegistry` over the `issued_tokens` table.
///
/// Every token Bazaar issues gets a row, so "revoke all of this user's other tokens" is one
/// UPDATE; a token minted elsewhere with the shared secret gets a row when it is revoked.
/// Rows are pruned a day after their token expires (an expired token is refused anyway).
package struct SQLiteTokenRegistry: TokenRegistry {
  private let pool: any DatabaseWriter

  package init(_ database: BazaarDatabase) {
    pool = database.writer
  }

  package func recordIssued(_ claims: AccessClaims) throws {
    try translatingErrors {
      try pool.write { db in
        try db.execute(
          sql: "INSERT INTO issued_tokens (jti, subject, role, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
          arguments: [
            claims.tokenID, claims.subject, claims.role.rawValue, claims.issuedAt.milliseconds,
            claims.expiresAt.milliseconds,
          ])
        try db.execute(
          sql: """
            DELETE FROM issued_tokens WHERE rowid IN
              (SELECT rowid FROM issued_tokens WHERE expires_at < ? LIMIT 100)
            """,
          arguments: [claims.issuedAt.adding(seconds: -86_400).milliseconds])
      }
    }
  }

  package func revoke(_ claims: AccessClaims, at now: Timestamp) throws {
    try translatingErrors {
      try pool.write { db in
        try db.execute(
          sql: """
            INSERT INTO issued_tokens (jti, subject, role, issued_at, expires_at, revoked_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (jti) DO UPDATE SET revoked_at = coalesce(revoked_at, excluded.revoked_at)
            """,
          arguments: [
            claims.tokenID, claims.subject, claims.role.rawValue, claims.issuedAt.milliseconds,
            claims.expiresAt.milliseconds, now.milliseconds,
          ])
      }
    }
  }

  package func isRevoked(tokenID: String) throws -> Bool {
    try translatingErrors {
      try pool.singleStatementRead { db in
        try Bool.fetchOne(
          db, sql: "SELECT revoked_at IS NOT NULL FROM issued_tokens WHERE jti = ?", arguments: [tokenID]) ?? false
      }
    }
  }

  /// Revokes every live token of `subject` in `role` but `kept`, inside the caller's transaction.
  static func revokeAll(
    of subject: String, role: Role, except kept: String?, at now: Timestamp, in db: Database
  )
    throws
  {
    try db.execute(
      sql: """
        UPDATE issued_tokens SET revoked_at = ?
        WHERE subject = ? AND role = ? AND revoked_at IS NULL AND jti IS NOT ?
        """,
      arguments: [now.milliseconds, subject, role.rawValue, kept])
  }
}
