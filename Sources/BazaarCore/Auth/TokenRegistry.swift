/// Issued tokens and which of them were revoked, inside a store transaction.
package protocol TokenRegistry {
  /// Records a newly issued token so it can be revoked later with its owner's other tokens,
  /// and forgets tokens that expired over a day before it was issued.
  func recordIssued(_ claims: AccessClaims) throws
  /// Revokes one token (idempotent; a token never recorded is recorded as revoked).
  func revoke(_ claims: AccessClaims, at now: Timestamp) throws
  /// Revokes every recorded, unrevoked token of `subject` in `role` except `kept`.
  func revokeAll(of subject: String, role: Role, except kept: String?, at now: Timestamp) throws
  /// Whether the token with this `jti` was revoked.
  func isRevoked(tokenID: String) throws -> Bool
}
