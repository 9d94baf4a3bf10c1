/// Why an account use case refused a request.
package enum AccountError: Error, Equatable, Sendable {
  /// Another account already uses this email.
  case emailTaken
  /// The email and password do not match an account (deliberately not saying which).
  case invalidCredentials
  /// The account was closed by its owner.
  case accountInactive
  /// The account was closed by an operator.
  case accountBlocked
  /// The token's subject has no account (it was removed by an operator).
  case userNotFound
  /// The current password given to confirm a change is wrong.
  case wrongPassword
}
