/// Any JSON value (RFC 8259). Numbers without a fraction or exponent that fit in 64 bits
/// are `integer`; every other number is `number`.
package enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case integer(Int64)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  /// The JSON type's name, for messages like "must be a string, not a number".
  package var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "boolean"
    case .integer, .number: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }

  /// The member `key` of an object; nil for other values and missing members.
  package subscript(key: String) -> JSONValue? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  /// The string, if this is one.
  package var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// The integer, if this is one.
  package var intValue: Int64? {
    if case .integer(let value) = self { return value }
    return nil
  }

  /// The number as a Double, if this is a number.
  package var doubleValue: Double? {
    switch self {
    case .integer(let value): Double(value)
    case .number(let value): value
    default: nil
    }
  }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByNilLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral
{
  package init(stringLiteral value: String) { self = .string(value) }
  package init(integerLiteral value: Int64) { self = .integer(value) }
  package init(booleanLiteral value: Bool) { self = .bool(value) }
  package init(nilLiteral: ()) { self = .null }
  package init(dictionaryLiteral elements: (String, JSONValue)...) {
    // Sized once and filled in place: views build one of these per row they show.
    var members = [String: JSONValue](minimumCapacity: elements.count)
    for (key, value) in elements { members[key] = value }
    self = .object(members)
  }
  package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension Optional where Wrapped == String {
  /// The string, or JSON `null`.
  package var json: JSONValue { map(JSONValue.string) ?? .null }
}

/// A value that has a JSON form: what handlers return and problems are made of.
package protocol JSONRepresentable: Sendable {
  /// This value as JSON.
  var json: JSONValue { get }
}

extension JSONValue: JSONRepresentable {
  package var json: JSONValue { self }
}
