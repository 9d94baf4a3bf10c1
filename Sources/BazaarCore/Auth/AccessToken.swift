/// Which kind of principal a token speaks for.
package enum Role: String, Sendable, Codable, CaseIterable {
  case user
  case seller
  /// The shop's operator: minted only from the shell (`bazaar operator token`), for the
  /// operator page; no function accepts it.
  case `operator`
}

/// The claims Bazaar puts in (and requires of) an access token.
package struct AccessClaims: Equatable, Sendable {
  /// The principal's id (`sub`).
  package var subject: String
  /// `role`: `user`, `seller` or `operator`.
  package var role: Role
  /// The token's unique id (`jti`), the handle for revocation.
  package var tokenID: String
  /// `iat`.
  package var issuedAt: Timestamp
  /// `exp`: the token is refused from this instant on.
  package var expiresAt: Timestamp
  /// `nbf`, when present: the token is refused before this instant.
  package var notBefore: Timestamp?

  package init(
    subject: String, role: Role, tokenID: String, issuedAt: Timestamp, expiresAt: Timestamp,
    notBefore: Timestamp? = nil
  ) {
    self.subject = subject
    self.role = role
    self.tokenID = tokenID
    self.issuedAt = issuedAt
    self.expiresAt = expiresAt
    self.notBefore = notBefore
  }
}

/// Why a request's credentials were refused.
package enum AuthError: Error, Equatable, Sendable {
  /// No token was presented where one is required.
  case missingToken
  /// The token is not a well-formed HS256 JWT with Bazaar's claims.
  case malformedToken(String)
  /// The header names an algorithm other than HS256 (including `none`).
  case unsupportedAlgorithm(String)
  /// The signature does not match.
  case badSignature
  /// `exp` has passed.
  case expired
  /// `nbf` is still in the future.
  case notYetValid
  /// The token was revoked (logout, password change, deactivation).
  case revoked
  /// The token is valid but speaks for the wrong kind of principal.
  case wrongRole(required: Role)
}

/// A signed access token and the claims inside it.
package struct IssuedToken: Sendable {
  package var token: String
  package var claims: AccessClaims

  package init(token: String, claims: AccessClaims) {
    self.token = token
    self.claims = claims
  }
}
