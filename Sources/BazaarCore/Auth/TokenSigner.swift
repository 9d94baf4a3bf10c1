/// Signs access claims into tokens and checks tokens back into claims.
package protocol TokenSigner: Sendable {
  /// The signed compact token for `claims`.
  func sign(_ claims: AccessClaims) throws -> String
  /// The claims of `token` if its algorithm, signature and time window are valid at `now`;
  /// otherwise throws an `AuthError`.
  func verify(_ token: String, at now: Timestamp) throws -> AccessClaims
}
