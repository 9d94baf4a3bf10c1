/// Whether an account may sign in: the seed's three statuses.
package enum AccountStatus: String, Sendable, CaseIterable, Codable {
  /// Signs in and uses the shop.
  case active
  /// Closed by its owner (`deactivateAccount`); cannot sign in.
  case inactive
  /// Closed by an operator; cannot sign in.
  case blocked

  /// Throws `AccountError.accountInactive` or `.accountBlocked` unless the account is active.
  package func requireActive() throws(AccountError) {
    switch self {
    case .active: return
    case .inactive: throw .accountInactive
    case .blocked: throw .accountBlocked
    }
  }
}

/// Where a user's orders are shipped by default.
package struct ShippingAddress: Equatable, Sendable, Codable {
  /// Who receives the parcel.
  package var recipient: String
  /// Five-digit Korean postal code (우편번호).
  package var postalCode: String
  /// Street or lot address (기본주소).
  package var line1: String
  /// Building, floor, unit (상세주소).
  package var line2: String?

  /// Validates every part; field names are prefixed with `field`.
  package init(recipient: String, postalCode: String, line1: String, line2: String?, field: String) throws {
    var errors = FieldErrors()
    let recipient = errors.collect { try TextRule.check(recipient, field: "\(field).recipient", max: 50) }
    let code = postalCode.trimmingWhitespace()
    if code.utf8.count != 5 || !code.utf8.allSatisfy({ (48...57).contains($0) }) {
      errors.append(
        FieldError(field: "\(field).postalCode", code: "invalid", message: "\(field).postalCode must be 5 digits"))
    }
    let line1 = errors.collect { try TextRule.check(line1, field: "\(field).line1", max: 200) }
    let line2 = errors.collect { try line2.map { try TextRule.check($0, field: "\(field).line2", min: 0, max: 200) } }
    try errors.throwIfAny()
    self.recipient = recipient!
    self.postalCode = code
    self.line1 = line1!
    self.line2 = line2!.flatMap { $0.isEmpty ? nil : $0 }
  }

  /// Wraps an address that was validated before (read back from the store).
  package init(trustedRecipient recipient: String, postalCode: String, line1: String, line2: String?) {
    self.recipient = recipient
    self.postalCode = postalCode
    self.line1 = line1
    self.line2 = line2
  }
}

/// A phone number as typed: digits with optional spaces, dashes and a leading `+`.
package enum PhoneNumber {
  /// Trims and checks `raw`: 7 to 15 digits, at most 20 characters as sent (whitespace around
  /// it counts, as every text maximum does, so `docs/openapi.yaml` can state the rule).
  package static func check(_ raw: String, field: String = "phone") throws(FieldError) -> String {
    let text = raw.trimmingWhitespace()
    let allowed = Set("0123456789 -".utf8)
    let body = text.hasPrefix("+") ? text.utf8.dropFirst() : text.utf8[...]
    let digits = body.filter { (48...57).contains($0) }.count
    guard raw.unicodeScalars.count <= 20, body.allSatisfy(allowed.contains), (7...15).contains(digits) else {
      throw FieldError(
        field: field, code: "invalid", message: "\(field) must be 7 to 15 digits, with optional spaces, dashes and +")
    }
    return text
  }
}

/// A shopper's account.
package struct User: Equatable, Sendable {
  package var id: UserID
  package var email: Email
  package var name: String?
  package var phone: String?
  package var shippingAddress: ShippingAddress?
  package var status: AccountStatus
  package var createdAt: Timestamp
  package var updatedAt: Timestamp

  package init(
    id: UserID, email: Email, name: String?, phone: String?, shippingAddress: ShippingAddress?,
    status: AccountStatus, createdAt: Timestamp, updatedAt: Timestamp
  ) {
    self.id = id
    self.email = email
    self.name = name
    self.phone = phone
    self.shippingAddress = shippingAddress
    self.status = status
    self.createdAt = createdAt
    self.updatedAt = updatedAt
  }
}

/// A user with the stored hash of its password, as the store hands it to sign-in checks.
package struct StoredCredentials: Sendable {
  package var user: User
  package var passwordHash: String

  package init(user: User, passwordHash: String) {
    self.user = user
    self.passwordHash = passwordHash
  }
}
