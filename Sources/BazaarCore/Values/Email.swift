/// A normalised, validated email address: trimmed and lower-cased, ASCII only.
///
/// Bazaar treats the whole address as case-insensitive (as every large shop does), so
/// `Kim@Example.COM` and `kim@example.com` are one account.
package struct Email: Hashable, Sendable, CustomStringConvertible {
  /// The normalised address.
  package let value: String

  /// The longest address SMTP can carry (RFC 5321 §4.5.3.1.3).
  package static let maxLength = 254

  /// Normalises `raw` and checks its shape; throws a `FieldError` for `field` when it is not an address.
  package init(_ raw: String, field: String = "email") throws(FieldError) {
    let text = raw.trimmingWhitespace().lowercased()
    func invalid(_ why: String) -> FieldError {
      FieldError(field: field, code: "invalid", message: "\(field) \(why)")
    }
    guard !text.isEmpty else {
      throw FieldError(field: field, code: "required", message: "\(field) must not be empty")
    }
    guard text.utf8.count <= Self.maxLength else { throw invalid("must be at most 254 characters") }
    let parts = text.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2 else { throw invalid("must contain exactly one @") }
    let local = parts[0]
    let domain = parts[1]
    guard (1...64).contains(local.utf8.count) else { throw invalid("must have 1 to 64 characters before the @") }
    let localAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.!#$%&'*+/=?^_`{|}~-".utf8)
    guard local.utf8.allSatisfy(localAllowed.contains),
      local.first != ".", local.last != ".", !local.contains("..")
    else { throw invalid("has characters that are not allowed before the @") }
    let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
    guard labels.count >= 2 else { throw invalid("must have a domain with a dot, like example.com") }
    let labelAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-".utf8)
    for label in labels {
      guard (1...63).contains(label.utf8.count), label.utf8.allSatisfy(labelAllowed.contains),
        label.first != "-", label.last != "-"
      else { throw invalid("has a domain that is not valid") }
    }
    value = text
  }

  /// Wraps an address that was validated before (read back from the store).
  package init(trusted value: String) {
    self.value = value
  }

  package var description: String { value }
}
