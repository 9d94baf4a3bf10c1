/// Issues access tokens: signs fresh claims and records them for later revocation.
package struct TokenIssuer: Sendable {
  package var signer: any TokenSigner
  package var registry: any TokenRegistry
  package var ids: any IDGenerator
  package var clock: any Clock
  /// How long a token stays valid, in seconds.
  package var lifetime: Int64

  package init(
    signer: any TokenSigner, registry: any TokenRegistry, ids: any IDGenerator, clock: any Clock,
    lifetime: Int64
  ) {
    self.signer = signer
    self.registry = registry
    self.ids = ids
    self.clock = clock
    self.lifetime = lifetime
  }

  /// A new token for `subject` in `role`, valid from now for `lifetime` seconds.
  package func issue(subject: String, role: Role) throws -> IssuedToken {
    let now = Timestamp(seconds: clock.now().seconds)
    let claims = AccessClaims(
      subject: subject, role: role, tokenID: ids.next(), issuedAt: now, expiresAt: now.adding(seconds: lifetime))
    let token = try signer.sign(claims)
    try registry.recordIssued(claims)
    return IssuedToken(token: token, claims: claims)
  }
}

/// Checks a presented token: signature, algorithm, time window, revocation and role.
package struct Authenticator: Sendable {
  package var signer: any TokenSigner
  package var registry: any TokenRegistry
  package var clock: any Clock

  package init(signer: any TokenSigner, registry: any TokenRegistry, clock: any Clock) {
    self.signer = signer
    self.registry = registry
    self.clock = clock
  }

  /// The claims of `token` when it is valid, not revoked, and of `role`; otherwise an `AuthError`.
  package func authenticate(_ token: String?, as role: Role) throws -> AccessClaims {
    guard let token, !token.isEmpty else { throw AuthError.missingToken }
    let claims = try signer.verify(token, at: clock.now())
    if try registry.isRevoked(tokenID: claims.tokenID) { throw AuthError.revoked }
    guard claims.role == role else { throw AuthError.wrongRole(required: role) }
    return claims
  }
}
