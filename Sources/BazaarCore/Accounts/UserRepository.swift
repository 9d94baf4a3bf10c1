/// User accounts, inside a store transaction (see `Store`).
package protocol UserRepository {
  /// Adds a new account; throws `AccountError.emailTaken` when the email is in use.
  func insert(_ user: User, passwordHash: String) throws
  /// The account with this email and its password hash, if any.
  func credentials(email: Email) throws -> StoredCredentials?
  /// The account with this id and its password hash, if any.
  func credentials(id: UserID) throws -> StoredCredentials?
  /// Saves name, phone, shipping address and `updatedAt`.
  func saveProfile(_ user: User) throws
  /// Replaces the password hash. `changedAt` is set when the owner chose a new password (it
  /// becomes `passwordChangedAt` and moves `updatedAt`); nil for a rehash at sign-in.
  func replacePasswordHash(of id: UserID, with hash: String, changedAt: Timestamp?) throws
  /// Sets the account's status and moves `updatedAt` forward to `now`.
  func setStatus(of id: UserID, to status: AccountStatus, at now: Timestamp) throws
}

extension UserRepository {
  /// The account with this id, if any.
  package func user(id: UserID) throws -> User? {
    try credentials(id: id)?.user
  }
}
