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
