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
