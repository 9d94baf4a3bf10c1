/// A Korean business registration number (사업자등록번호): ten digits `XXX-XX-XXXXX`, the last
/// a check digit over the first nine (the National Tax Service's weights 1 3 7 1 3 7 1 3 5,
/// plus the tens of the ninth digit × 5).
package struct BusinessNumber: Hashable, Sendable, CustomStringConvertible {
  /// The ten digits without dashes, as stored.
  package let digits: String

  /// Parses `raw` (`1248100998` or `124-81-00998`; surrounding white space ignored) and
  /// verifies its check digit.
  package init(_ raw: String, field: String = "businessNumber") throws(FieldError) {
    let text = raw.trimmingWhitespace()
    let bytes = Array(text.utf8)
    let dashed = bytes.count == 12 && bytes[3] == UInt8(ascii: "-") && bytes[6] == UInt8(ascii: "-")
    let digitBytes = dashed ? Array(bytes[0..<3] + bytes[4..<6] + bytes[7...]) : bytes
    guard digitBytes.count == 10, digitBytes.allSatisfy({ (0x30...0x39).contains($0) }) else {
      throw FieldError(
        field: field, code: "invalid", message: "\(field) must be 10 digits, as XXX-XX-XXXXX or without dashes")
    }
    let values = digitBytes.map { Int($0 - 0x30) }
    guard Self.checkDigit(values[0..<9]) == values[9] else {
      throw FieldError(
        field: field, code: "bad_check_digit",
        message: "\(field) is not a valid business registration number (its check digit does not match)")
    }
    digits = String(decoding: digitBytes, as: UTF8.self)
  }

  /// Wraps digits that were validated before (read back from the store).
  package init(trustedDigits: String) {
    digits = trustedDigits
  }

  /// The check digit for the first nine digits.
  static func checkDigit(_ first9: ArraySlice<Int>) -> Int {
    let weights = [1, 3, 7, 1, 3, 7, 1, 3, 5]
    var sum = zip(first9, weights).reduce(0) { $0 + $1.0 * $1.1 }
    sum += first9.last! * 5 / 10
    return (10 - sum % 10) % 10
  }

  /// `XXX-XX-XXXXX`, the way the number is printed on a registration certificate.
  package var formatted: String {
    let d = Array(digits)
    return String(d[0..<3]) + "-" + String(d[3..<5]) + "-" + String(d[5...])
  }

  package var description: String { formatted }
}
