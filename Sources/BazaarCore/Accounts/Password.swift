/// A password that meets the shop's policy. Never logged, never stored: only its hash is.
package struct Password: Sendable {
  /// The password as the user typed it.
  package let value: String

  /// Fewest characters (Unicode scalars, as JSON Schema counts) a password may have.
  package static let minLength = 8
  /// Most characters a password may have; bounds the hashing work an input can cause.
  package static let maxLength = 1024

  /// Checks the policy: 8 to 1024 characters, and not the account's email.
  package init(_ raw: String, field: String = "password", email: Email? = nil) throws(FieldError) {
    guard !raw.isEmpty else {
      throw FieldError(field: field, code: "required", message: "\(field) must not be empty")
    }
    guard raw.unicodeScalars.count >= Self.minLength else {
      throw FieldError(
        field: field, code: "too_short", message: "\(field) must be at least \(Self.minLength) characters")
    }
    guard raw.unicodeScalars.count <= Self.maxLength else {
      throw FieldError(
        field: field, code: "too_long", message: "\(field) must be at most \(Self.maxLength) characters")
    }
    if let email, raw.trimmingWhitespace().lowercased() == email.value {
      throw FieldError(field: field, code: "same_as_email", message: "\(field) must not be the email address")
    }
    value = raw
  }
}
