import BazaarJSON
import Testing

@Suite struct JSONWriterTests {
  /// What the writer writes is byte for byte what `serialized` makes of the same value.
  @Test func writesWhatSerializedWrites() throws {
    var writer = JSONWriter()
    writer.object { json in
      json.key("a")
      json.array { json in
        json.integer(-12)
        json.string("줄\n\"바꿈\"\u{2028}")
        json.object { _ in }
        json.array { json in json.value(.number(1.5)) }
      }
      json.key("b")
      json.string(nil as String?)
      json.key("c")
      json.object { json in
        json.key("x")
        json.value(true)
        json.key("y")
        json.integer(0)
      }
    }
    let expected: JSONValue = [
      "a": [-12, "줄\n\"바꿈\"\u{2028}", .object([:]), [.number(1.5)]], "b": nil, "c": ["x": true, "y": 0],
    ]
    #expect(writer.bytes == expected.serializedBytes)
    #expect(try JSONValue.parse(writer.bytes) == expected)
  }
}

@Suite struct StringEscapingTests {
  /// The string writer skips eight bytes at a time when none needs a look: every character that
  /// must be escaped is still escaped wherever it falls in a word, as a byte-by-byte escaper
  /// writes it.
  @Test func escapesEveryCharacterAtEveryOffset() throws {
    let specials: [Character] = ["\"", "\\", "\n", "\r", "\t", "\u{1}", "\u{1F}", "\u{2028}", "\u{2029}", "\u{2027}"]
    for special in specials {
      for offset in 0..<20 {
        for filler in ["a", "가"] {
          let text = String(repeating: filler, count: offset) + String(special) + String(repeating: "z", count: 9)
          var bytes: [UInt8] = []
          JSONValue.writeString(text, to: &bytes)
          #expect(bytes == Self.reference(text), "\(special.unicodeScalars.first!.value) after \(offset) × \(filler)")
          #expect(try JSONValue.parse(bytes) == .string(text))
        }
      }
    }
  }

  /// JSON text for `text`, one scalar at a time.
  static func reference(_ text: String) -> [UInt8] {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{2028}": out += "\\u2028"
      case "\u{2029}": out += "\\u2029"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return Array((out + "\"").utf8)
  }
}
