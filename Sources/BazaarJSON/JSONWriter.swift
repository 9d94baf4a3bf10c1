/// JSON text written straight into bytes, for views on hot paths: no `JSONValue` tree, no
/// dictionary per object, no sort. The output is what `serialized` makes of the same value, so
/// members must be written in ascending key order (Swift's `<` on the keys); debug builds
/// check it. It owns its buffer (`JSONBuffer`), so it is never copied.
package struct JSONWriter: ~Copyable {
  private var buffer: JSONBuffer
  /// Per nesting level (bit `depth`): whether it holds a member or element yet.
  private var started: UInt64 = 0
  private var depth = 0
  /// A key was just written: the value that follows takes no comma.
  private var afterKey = false
  #if DEBUG
    private var lastKeys: [String?] = [nil]
  #endif

  package init(capacity: Int = 256) {
    buffer = JSONBuffer(capacity: capacity)
  }

  /// The JSON written so far.
  package var bytes: [UInt8] { buffer.bytes }

  /// An object whose members `body` writes with `key(_:)` and a value each.
  package mutating func object(_ body: (inout JSONWriter) -> Void) {
    open(UInt8(ascii: "{"))
    body(&self)
    close(UInt8(ascii: "}"))
  }

  /// An array whose elements `body` writes, one value each.
  package mutating func array(_ body: (inout JSONWriter) -> Void) {
    open(UInt8(ascii: "["))
    body(&self)
    close(UInt8(ascii: "]"))
  }

  /// The next member's key, a literal (written as it is: no escaping); its value is the next
  /// value written.
  package mutating func key(_ name: StaticString) {
    guard name.hasPointerRepresentation else {
      return key(text: name.description)
    }
    #if DEBUG
      checkOrder(name.description)
      assert(!name.description.utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }, "key needs escaping: \(name)")
    #endif
    // Comma, quotes, colon and the name, after one check for room.
    let length = name.utf8CodeUnitCount
    buffer.reserve(length + 4)
    if needsComma() { buffer.appendUnchecked(UInt8(ascii: ",")) }
    buffer.appendUnchecked(UInt8(ascii: "\""))
    buffer.appendUnchecked(name.utf8Start, count: length)
    buffer.appendUnchecked(UInt8(ascii: "\""))
    buffer.appendUnchecked(UInt8(ascii: ":"))
    afterKey = true
  }

  /// The next member's key, any text (escaped as a string is).
  package mutating func key(text name: String) {
    #if DEBUG
      checkOrder(name)
    #endif
    separate()
    JSONValue.writeString(name, into: &buffer)
    buffer.writeByte(UInt8(ascii: ":"))
    afterKey = true
  }

  /// A member whose value is a string.
  package mutating func member(_ name: StaticString, _ text: String) {
    key(name)
    string(text)
  }

  /// A member whose value is a string or `null`.
  package mutating func member(_ name: StaticString, _ text: String?) {
    key(name)
    string(text)
  }

  /// A member whose value is an integer.
  package mutating func member(_ name: StaticString, _ number: Int64) {
    key(name)
    integer(number)
  }

  /// A member whose value is an integer.
  package mutating func member(_ name: StaticString, _ number: Int) {
    key(name)
    integer(Int64(number))
  }

  #if DEBUG
    private mutating func checkOrder(_ name: String) {
      if let last = lastKeys[lastKeys.count - 1] { assert(last < name, "JSON keys out of order: \(last), \(name)") }
      lastKeys[lastKeys.count - 1] = name
    }
  #endif

  package mutating func string(_ text: String) {
    separate()
    JSONValue.writeString(text, into: &buffer)
  }

  /// The string, or `null`.
  package mutating func string(_ text: String?) {
    guard let text else { return value(.null) }
    string(text)
  }

  package mutating func integer(_ number: Int64) {
    separate()
    JSONValue.writeInteger(number, into: &buffer)
  }

  package mutating func integer(_ number: Int) { integer(Int64(number)) }

  /// Any value, as `serialized` writes it.
  package mutating func value(_ value: JSONValue) {
    separate()
    value.write(into: &buffer)
  }

  private mutating func separate() {
    if needsComma() { buffer.writeByte(UInt8(ascii: ",")) }
  }

  /// Whether the next value (or key) needs a comma before it; records that this level holds one.
  private mutating func needsComma() -> Bool {
    if afterKey {
      afterKey = false
      return false
    }
    guard depth > 0 else { return false }
    let bit: UInt64 = 1 << UInt64(depth)
    defer { started |= bit }
    return started & bit != 0
  }

  /// A line feed after the value: for a JSON line (`jsonLine`).
  package mutating func endLine() {
    precondition(depth == 0, "a line ends after the whole value")
    buffer.writeByte(0x0A)
  }

  private mutating func open(_ bracket: UInt8) {
    separate()
    buffer.writeByte(bracket)
    depth += 1
    precondition(depth < 64, "JSON nested deeper than 63 levels")
    started &= ~(1 << UInt64(depth))
    #if DEBUG
      lastKeys.append(nil)
    #endif
  }

  private mutating func close(_ bracket: UInt8) {
    buffer.writeByte(bracket)
    depth -= 1
    #if DEBUG
      lastKeys.removeLast()
    #endif
  }
}

/// A view that writes its own JSON text (`JSONWriter`) instead of building a `JSONValue`; its
/// `json` is that text read back, for the rare caller that needs the tree.
package protocol JSONWritable: JSONRepresentable {
  func write(to writer: inout JSONWriter)
  /// About how many bytes the JSON takes, so the writer allocates once.
  var estimatedByteCount: Int { get }
}

extension JSONWritable {
  package var estimatedByteCount: Int { 256 }

  package var json: JSONValue {
    // The writer only writes valid JSON, so reading it back cannot fail.
    (try? JSONValue.parse(jsonBytes)) ?? .null
  }
}

extension JSONRepresentable {
  /// This value as compact JSON bytes, keys sorted: written straight when it is `JSONWritable`.
  package var jsonBytes: [UInt8] { bytes(lineEnd: false) }

  /// `jsonBytes` and a line feed, as a function's answer goes out: in one buffer, so a large
  /// answer is not copied again to add its last byte.
  package var jsonLine: [UInt8] { bytes(lineEnd: true) }

  private func bytes(lineEnd: Bool) -> [UInt8] {
    guard let writable = self as? any JSONWritable else {
      var bytes = json.serializedBytes
      if lineEnd { bytes.append(0x0A) }
      return bytes
    }
    var writer = JSONWriter(capacity: writable.estimatedByteCount + 1)
    writable.write(to: &writer)
    if lineEnd { writer.endLine() }
    return writer.bytes
  }
}
