import BazaarJSON
import Testing

@Suite struct JSONParserTests {
  static let valid: [(String, JSONValue)] = [
    (#"{}"#, JSONValue.object([:])),
    (
      #" [1, -0, 2.5, 1e3, -12345678901234567890] "#,
      [1, 0, .number(2.5), .number(1000), .number(-12345678901234567890)]
    ),
    (#"{"a":{"b":[true,false,null]}}"#, ["a": ["b": [true, false, nil]]]),
    (#""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#, .string("\"\\/\u{08}\u{0C}\n\r\té😀")),
    (#""김치 €""#, "김치 €"),
    ("9223372036854775807", .integer(Int64.max)),
    ("9223372036854775808", .number(9_223_372_036_854_775_808)),
  ]

  @Test(arguments: valid)
  func parsesValidJSON(text: String, expected: JSONValue) throws {
    #expect(try JSONValue.parse(Array(text.utf8)) == expected)
  }

  @Test(arguments: [
    "", " ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[+1]", "tru", "nul",
    "\"abc", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\u{01}\"", "[1] 2", "{\"a\" 1}", "{1:2}", "NaN", "[Infinity]",
    "1e400", "{\"a\":1,\"a\":2}",
  ])
  func refusesInvalidJSON(text: String) {
    #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(text.utf8)) }
  }

  @Test func refusesInvalidUTF8AndDeepNesting() {
    #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
    #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(repeating: UInt8(ascii: "["), count: 100_000)) }
    let deep =
      String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
    #expect(throws: Never.self) { try JSONValue.parse(Array(deep.utf8)) }
    let tooDeep = "[" + deep + "]"
    #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(tooDeep.utf8)) }
  }

  @Test func serializesCompactlyWithSortedKeysAndRoundTrips() throws {
    let value: JSONValue = ["b": [1, .number(2.5), nil], "a": "x\"\n\u{01}/é", "c": ["z": true, "y": false]]
    #expect(value.serialized == #"{"a":"x\"\n\u0001/é","b":[1,2.5,null],"c":{"y":false,"z":true}}"#)
    #expect(try JSONValue.parse(Array(value.serialized.utf8)) == value)
  }

  @Test func serializesEveryEscapeAndEveryIntegerWidth() throws {
    let text = "\u{1F}\t\r\\ \u{2028}\u{2029} \u{2027}€😀 ok"
    #expect(JSONValue.string(text).serialized == #""\u001f\t\r\\ \u2028\u2029 \#u{2027}€😀 ok""#)
    let integers: JSONValue = [.integer(0), .integer(-7), .integer(.max), .integer(.min)]
    #expect(integers.serialized == "[0,-7,9223372036854775807,-9223372036854775808]")
    #expect(try JSONValue.parse(JSONValue.string(text).serializedBytes) == .string(text))
  }

  @Test func errorsSayWhere() {
    #expect(throws: JSONSyntaxError(offset: 7, reason: "expected ',' or '}'")) {
      try JSONValue.parse(Array(#"{"a":1 "b":2}"#.utf8))
    }
  }
}
