/// The `limit` of a paged listing: 20 when absent, 1 to 100 when given.
package enum PageLimit {
  package static let defaultValue = 20
  package static let maximum = 100

  /// `value` checked, or the default.
  package static func check(_ value: Int64?) throws(FieldError) -> Int {
    guard let value else { return defaultValue }
    guard (1...Int64(maximum)).contains(value) else {
      throw FieldError(field: "limit", code: "out_of_range", message: "limit must be from 1 to \(maximum)")
    }
    return Int(value)
  }
}

/// A listing's `status` filter: nil when absent, else one of `Status`'s values (a field error
/// naming them all otherwise).
package enum StatusFilter {
  package static func check<Status: RawRepresentable & CaseIterable>(
    _ text: String?
  ) throws(FieldError) -> Status? where Status.RawValue == String {
    guard let text else { return nil }
    guard let value = Status(rawValue: text) else {
      let names = Status.allCases.map(\.rawValue).joined(separator: ", ")
      throw FieldError(field: "status", code: "invalid", message: "status must be one of \(names)")
    }
    return value
  }
}
