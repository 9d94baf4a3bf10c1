internal import BazaarCore
internal import GRDB

/// `TokenRegistry` over the `issued_tokens` table.
///
/// Every token Bazaar issues gets a row, so "revoke all of this user's other tokens" is one
/// UPDATE; a token minted elsewhere with the shared secret gets a row when it is revoked.
/// Rows are pruned a day after their token expires (an expired token is refused anyway).
struct SQLiteTokenRegistry: TokenRegistry {
  let db: Database

  func recordIssued(_ claims: AccessClaims) throws {
    try db.cachedStatement(
      sql: "INSERT INTO issued_tokens (jti, subject, role, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)"
    ).execute(arguments: [
      claims.tokenID, claims.subject, claims.role.rawValue, claims.issuedAt.milliseconds,
      claims.expiresAt.milliseconds,
    ])
    try db.cachedStatement(
      sql: """
        DELETE FROM issued_tokens WHERE rowid IN
          (SELECT rowid FROM issued_tokens WHERE expires_at < ? LIMIT 100)
        """
    ).execute(arguments: [claims.issuedAt.adding(seconds: -86_400).milliseconds])
  }

  func revoke(_ claims: AccessClaims, at now: Timestamp) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO issued_tokens (jti, subject, role, issued_at, expires_at, revoked_at)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (jti) DO UPDATE SET revoked_at = coalesce(revoked_at, excluded.revoked_at)
        """
    ).execute(arguments: [
      claims.tokenID, claims.subject, claims.role.rawValue, claims.issuedAt.milliseconds,
      claims.expiresAt.milliseconds, now.milliseconds,
    ])
  }

  func revokeAll(of subject: String, role: Role, except kept: String?, at now: Timestamp) throws {
    try db.cachedStatement(
      sql: """
        UPDATE issued_tokens SET revoked_at = ?
        WHERE subject = ? AND role = ? AND revoked_at IS NULL AND jti IS NOT ?
        """
    ).execute(arguments: [now.milliseconds, subject, role.rawValue, kept])
  }

  func isRevoked(tokenID: String) throws -> Bool {
    try Bool.fetchOne(
      db.cachedStatement(sql: "SELECT revoked_at IS NOT NULL FROM issued_tokens WHERE jti = ?"), arguments: [tokenID])
      ?? false
  }
}
