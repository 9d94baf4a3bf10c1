/// Issues access tokens: signs fresh claims. The sign-in that asked for one records its claims
/// (`TokenRegistry.recordIssued`) in its own transaction, so it can be revoked later.
package struct TokenIssuer: Sendable {
  package var signer: any TokenSigner
  package var ids: any IDGenerator
  package var clock: any Clock
  /// How long a token stays valid, in seconds.
  package var lifetime: Int64

  package init(
    signer: any TokenSigner, ids: any IDGenerator, clock: any Clock, lifetime: Int64
  ) {
    self.signer = signer
    self.ids = ids
    self.clock = clock
    self.lifetime = lifetime
  }

  /// A new token for `subject` in `role`, valid from now for `lifetime` seconds.
  package func issue(subject: String, role: Role) throws -> IssuedToken {
    let now = Timestamp(seconds: clock.now().seconds)
    let claims = AccessClaims(
      subject: subject, role: role, tokenID: ids.next(), issuedAt: now, expiresAt: now.adding(seconds: lifetime))
    return IssuedToken(token: try signer.sign(claims), claims: claims)
  }
}

/// Checks a presented token: signature, algorithm, time window, revocation and role.
package struct Authenticator: Sendable {
  package var signer: any TokenSigner
  package var store: any Store
  package var clock: any Clock

  package init(signer: any TokenSigner, store: any Store, clock: any Clock) {
    self.signer = signer
    self.store = store
    self.clock = clock
  }

  /// The claims of `token` when it is valid, not revoked, and of `role`; otherwise an `AuthError`.
  package func authenticate(_ token: String?, as role: Role) throws -> AccessClaims {
    let claims = try authenticate(token)
    guard claims.role == role else { throw AuthError.wrongRole(required: role) }
    return claims
  }

  /// The claims of a valid, unrevoked token of any role.
  package func authenticate(_ token: String?) throws -> AccessClaims {
    guard let token, !token.isEmpty else { throw AuthError.missingToken }
    let claims = try signer.verify(token, at: clock.now())
    if try store.read({ try $0.tokens.isRevoked(tokenID: claims.tokenID) }) { throw AuthError.revoked }
    return claims
  }
}
