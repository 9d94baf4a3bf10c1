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

  func write(to out: inout [UInt8]) {
    switch self {
    case .null: out += "null".utf8
    case .bool(let value): out += (value ? "true" : "false").utf8
    case .integer(let value): Self.writeInteger(value, to: &out)
    case .number(let value):
      // JSON has no NaN or infinity; they never come from parsing, so this is defensive.
      if !value.isFinite {
        out += "null".utf8
      } else if value == value.rounded(.towardZero), abs(value) < 1e15 {
        Self.writeInteger(Int64(value), to: &out)
      } else {
        out += String(value).utf8
      }
    case .string(let text): Self.writeString(text, to: &out)
    case .array(let values):
      out.append(UInt8(ascii: "["))
      for (index, value) in values.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        value.write(to: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      // The members sorted as pairs: each key hashed never again, compared only.
      for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        Self.writeString(member.key, to: &out)
        out.append(UInt8(ascii: ":"))
        member.value.write(to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  static func writeInteger(_ value: Int64, to out: inout [UInt8]) {
    guard value != 0 else { return out.append(UInt8(ascii: "0")) }
    if value < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
      while magnitude > 0 {
        buffer[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
        count += 1
      }
      out += buffer[(24 - count)...]
    }
  }

  /// `text` as a JSON string literal, appended to `out`. Besides the required escapes, U+2028
  /// and U+2029 are escaped so the output is also valid JavaScript.
  package static func writeString(_ text: String, to out: inout String) {
    var bytes: [UInt8] = []
    writeString(text, to: &bytes)
    out += String(decoding: bytes, as: UTF8.self)
  }

  /// `text` as a JSON string literal, appended to `out` as UTF-8.
  package static func writeString(_ text: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { bytes in
      var start = 0
      var index = 0
      while index < bytes.count {
        let byte = bytes[index]
        let escape: [UInt8]?
        switch byte {
        case UInt8(ascii: "\""): escape = Array(#"\""#.utf8)
        case UInt8(ascii: "\\"): escape = Array(#"\\"#.utf8)
        case 0x0A: escape = Array(#"\n"#.utf8)
        case 0x0D: escape = Array(#"\r"#.utf8)
        case 0x09: escape = Array(#"\t"#.utf8)
        case 0..<0x20: escape = Array(#"\u00"#.utf8) + [hexDigit(byte >> 4), hexDigit(byte & 15)]
        case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] & 0xFE) == 0xA8:
          escape = Array((bytes[index + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#).utf8)
        default: escape = nil
        }
        guard let escape else {
          index += 1
          continue
        }
        out += bytes[start..<index]
        out += escape
        index += byte == 0xE2 ? 3 : 1
        start = index
      }
      out += bytes[start..<bytes.count]
    }
    out.append(UInt8(ascii: "\""))
  }

  private static func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
  }
}
