/// Why an account use case refused a request.
package enum AccountError: Error, Equatable, Sendable {
  /// Another account (of the same kind: user or seller) already uses this email.
  case emailTaken
  /// Another seller is already registered under this business registration number.
  case businessNumberTaken
  /// The email and password do not match an account (deliberately not saying which).
  case invalidCredentials
  /// The account was closed by its owner.
  case accountInactive
  /// The account was closed by an operator.
  case accountBlocked
  /// The token's subject has no account (it was removed by an operator).
  case userNotFound
  /// The token's subject has no seller account (it was removed by an operator).
  case sellerNotFound
  /// The current password given to confirm a change is wrong.
  case wrongPassword
  /// A seller with paid orders it has not shipped cannot withdraw.
  case openOrders
  /// Too many failed sign-ins for this account (from this address, or from everywhere): try
  /// again in `retryAfter` seconds.
  case tooManyAttempts(retryAfter: Int64)
}
