/// The validation rules of product fields, shared by create and update.
package enum ProductRules {
  /// The stock a product may hold.
  package static let stockRange: ClosedRange<Int64> = 0...1_000_000

  /// 1 to 200 characters, trimmed.
  package static func name(_ raw: String) throws(FieldError) -> String {
    try TextRule.check(raw, field: "name", max: 200)
  }

  /// Up to 5,000 characters, trimmed; empty is allowed, and so are line breaks and tabs.
  package static func description(_ raw: String) throws(FieldError) -> String {
    try TextRule.check(raw, field: "description", min: 0, max: 5000, multiline: true)
  }

  /// 1 to 50 characters, trimmed; matched exactly by the `category` filter.
  package static func category(_ raw: String, field: String = "category") throws(FieldError) -> String {
    try TextRule.check(raw, field: field, max: 50)
  }

  /// A whole number of units in `stockRange`.
  package static func stock(_ value: Int64, field: String) throws(FieldError) -> Int64 {
    guard stockRange.contains(value) else {
      throw FieldError(
        field: field, code: "out_of_range",
        message: "\(field) must be from \(stockRange.lowerBound) to \(stockRange.upperBound)")
    }
    return value
  }

  /// An absolute `http` or `https` URL of at most 2,048 characters with a host and no white
  /// space or control characters (shoppers' browsers load it, so nothing else is accepted).
  package static func imageURL(_ raw: String) throws(FieldError) -> String {
    let text = raw.trimmingWhitespace()
    let lower = text.lowercased()
    let rest: Substring? =
      lower.hasPrefix("https://") ? text.dropFirst(8) : lower.hasPrefix("http://") ? text.dropFirst(7) : nil
    let host = rest?.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    // Counted as sent, like every text maximum; no white space of any kind, no control bytes.
    guard let host, !host.isEmpty, raw.unicodeScalars.count <= 2048,
      text.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }),
      !text.unicodeScalars.contains(where: \.properties.isWhitespace),
      !host.contains("@")
    else {
      throw FieldError(
        field: "imageUrl", code: "invalid",
        message: "imageUrl must be an absolute http(s) URL with a host, without spaces, at most 2048 characters")
    }
    return text
  }
}
