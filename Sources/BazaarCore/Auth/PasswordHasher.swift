/// Turns passwords into self-describing hashes and checks them.
package protocol PasswordHasher: Sendable {
  /// A new hash of `password` with a fresh random salt and the current parameters.
  func hash(_ password: String) throws -> String
  /// Whether `password` matches `encoded`, in time that does not depend on where they differ.
  func verify(_ password: String, against encoded: String) -> Bool
  /// Whether `encoded` was made with weaker parameters than the current ones.
  func needsRehash(_ encoded: String) -> Bool
  /// A well-formed hash with the current parameters that no password matches: checking a
  /// password against it costs what a real check costs, so unknown emails take the same time.
  var decoyHash: String { get }
}

extension PasswordHasher {
  /// Checks a sign-in password against the account's stored hash, or against the decoy when
  /// no account has the email, so both cost the same time; throws
  /// `AccountError.invalidCredentials` either way, never saying which.
  package func requireMatch(_ password: String, storedHash: String?) throws(AccountError) {
    guard let storedHash else {
      _ = verify(password, against: decoyHash)
      throw .invalidCredentials
    }
    guard verify(password, against: storedHash) else { throw .invalidCredentials }
  }
}
