extension JSONValue {
  /// Compact JSON text with object keys sorted, so equal values serialize to equal bytes.
  package var serialized: String {
    String(decoding: serializedBytes, as: UTF8.self)
  }

  /// `serialized` as UTF-8 bytes, written straight into one buffer.
  package var serializedBytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(to: &out)
    return out
  }

  func write(to out: inout [UInt8]) { write(into: &out) }

  func write<Out: JSONOutput & ~Copyable>(into out: inout Out) {
    switch self {
    case .null: Self.writeLiteral("null", to: &out)
    case .bool(let value): Self.writeLiteral(value ? "true" : "false", to: &out)
    case .integer(let value): Self.writeInteger(value, into: &out)
    case .number(let value):
      // JSON has no NaN or infinity; they never come from parsing, so this is defensive.
      if !value.isFinite {
        Self.writeLiteral("null", to: &out)
      } else if value == value.rounded(.towardZero), abs(value) < 1e15 {
        Self.writeInteger(Int64(value), into: &out)
      } else {
        var text = String(value)
        text.withUTF8 { out.writeBytes($0) }
      }
    case .string(let text): Self.writeString(text, into: &out)
    case .array(let values):
      out.writeByte(UInt8(ascii: "["))
      for (index, value) in values.enumerated() {
        if index > 0 { out.writeByte(UInt8(ascii: ",")) }
        value.write(into: &out)
      }
      out.writeByte(UInt8(ascii: "]"))
    case .object(let members):
      out.writeByte(UInt8(ascii: "{"))
      // The members sorted as pairs: each key hashed never again, compared only.
      for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
        if index > 0 { out.writeByte(UInt8(ascii: ",")) }
        Self.writeString(member.key, into: &out)
        out.writeByte(UInt8(ascii: ":"))
        member.value.write(into: &out)
      }
      out.writeByte(UInt8(ascii: "}"))
    }
  }

  /// A literal's bytes, as they are.
  static func writeLiteral<Out: JSONOutput & ~Copyable>(_ text: StaticString, to out: inout Out) {
    out.writeBytes(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  static func writeInteger<Out: JSONOutput & ~Copyable>(_ value: Int64, into out: inout Out) {
    guard value != 0 else { return out.writeByte(UInt8(ascii: "0")) }
    if value < 0 { out.writeByte(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
      while magnitude > 0 {
        buffer[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
        count += 1
      }
      let digits = UnsafeRawBufferPointer(rebasing: buffer[(24 - count)...]).assumingMemoryBound(to: UInt8.self)
      out.writeBytes(digits)
    }
  }

  /// `text` as a JSON string literal, appended to `out`. Besides the required escapes, U+2028
  /// and U+2029 are escaped so the output is also valid JavaScript.
  package static func writeString(_ text: String, to out: inout String) {
    var bytes: [UInt8] = []
    writeString(text, to: &bytes)
    out += String(decoding: bytes, as: UTF8.self)
  }

  /// `text` as a JSON string literal, appended to `out` as UTF-8. Runs of bytes that need no
  /// escape are copied whole.
  package static func writeString(_ text: String, to out: inout [UInt8]) { writeString(text, into: &out) }

  static func writeString<Out: JSONOutput & ~Copyable>(_ text: String, into out: inout Out) {
    out.writeByte(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { bytes in
      guard let base = bytes.baseAddress else { return }
      let raw = UnsafeRawPointer(base)
      var start = 0
      var index = 0
      while index < bytes.count {
        // Eight bytes at a time while none of them needs a look.
        if index + 8 <= bytes.count && !mayNeedEscape(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
          index += 8
          continue
        }
        let byte = bytes[index]
        // Most bytes: printable ASCII other than the quote and the backslash, or UTF-8 other than
        // the lead byte of U+2028 and U+2029.
        if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte != 0xE2 {
          index += 1
          continue
        }
        let escape: StaticString
        var hex = false
        switch byte {
        case UInt8(ascii: "\""): escape = #"\""#
        case UInt8(ascii: "\\"): escape = #"\\"#
        case 0x0A: escape = #"\n"#
        case 0x0D: escape = #"\r"#
        case 0x09: escape = #"\t"#
        case 0..<0x20:
          escape = #"\u00"#
          hex = true
        case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] & 0xFE) == 0xA8:
          escape = bytes[index + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#
        default:
          index += 1
          continue
        }
        out.writeBytes(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        writeLiteral(escape, to: &out)
        if hex {
          out.writeByte(hexDigit(byte >> 4))
          out.writeByte(hexDigit(byte & 15))
        }
        index += byte == 0xE2 ? 3 : 1
        start = index
      }
      out.writeBytes(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
    }
    out.writeByte(UInt8(ascii: "\""))
  }

  /// Whether any of the eight bytes in `word` is a control character, a quote, a backslash or
  /// 0xE2 (the lead byte of U+2028 and U+2029): the bytes `writeString` looks at one by one.
  /// Exact for "any" (the borrow tricks of "Bit Twiddling Hacks" only misplace which byte).
  @inline(__always)
  private static func mayNeedEscape(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
    let hasControl = (word &- ones &* 0x20) & ~word & highs != 0
    return hasControl || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
      || hasZeroByte(word ^ (ones &* 0xE2))
  }

  private static func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
  }
}
