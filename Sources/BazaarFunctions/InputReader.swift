package import BazaarCore
package import BazaarJSON

/// Reads a handler's fields out of its input object, collecting every problem by field name.
///
/// Accessors return a placeholder when a field is missing or mistyped and record why;
/// `finish()` then throws all problems at once, including fields nobody asked for: Bazaar
/// rejects unknown fields (422 `unknown_field`) so a typo such as `pasword` never passes silently.
package struct InputReader {
  private let fields: [String: JSONValue]
  private let prefix: String
  private var read: Set<String>
  private var errors = FieldErrors()

  /// Fields every function accepts (used by the runtime itself).
  package static let commonFields: Set<String> = ["idempotencyKey"]

  /// A reader over `object`; field names in messages get `prefix` (for nested objects).
  package init(_ object: [String: JSONValue], prefix: String = "") {
    fields = object
    self.prefix = prefix
    read = prefix.isEmpty ? Self.commonFields : []
  }

  /// A required string.
  package mutating func string(_ name: String) -> String {
    read.insert(name)
    switch fields[name] {
    case .string(let value) where value.unicodeScalars.contains("\u{0}"):
      record(name, "invalid", "must not contain NUL characters")
    case .string(let value): return value
    case nil, .null: record(name, "required", "is required")
    case let other?: record(name, "wrong_type", "must be a string, not \(other.typeName)")
    }
    return ""
  }

  /// An optional string: absent and `null` both read as nil.
  package mutating func optionalString(_ name: String) -> String? {
    switch change(name) {
    case .set(let value): value
    case .keep, .clear: nil
    }
  }

  /// A string in a partial update: absent keeps, `null` clears, a string sets.
  package mutating func change(_ name: String) -> FieldChange<String> {
    read.insert(name)
    switch fields[name] {
    case nil: return .keep
    case .null: return .clear
    case .string(let value) where value.unicodeScalars.contains("\u{0}"):
      record(name, "invalid", "must not contain NUL characters")
      return .keep
    case .string(let value): return .set(value)
    case let other?:
      record(name, "wrong_type", "must be a string or null, not \(other.typeName)")
      return .keep
    }
  }

  /// A required integer (a JSON number with no fraction).
  package mutating func int(_ name: String) -> Int64 {
    switch intChange(name) {
    case .set(let value): return value
    case .keep, .clear:
      if !errors.errors.contains(where: { $0.field == qualified(name) }) { record(name, "required", "is required") }
      return 0
    }
  }

  /// An integer in a partial update: absent keeps, `null` clears, a whole number sets.
  package mutating func intChange(_ name: String) -> FieldChange<Int64> {
    read.insert(name)
    switch fields[name] {
    case nil: return .keep
    case .null: return .clear
    case .integer(let value): return .set(value)
    case .number(let value) where value == value.rounded() && abs(value) < 9e15:
      return .set(Int64(value))
    case .number(let value) where value == value.rounded():
      record(name, "out_of_range", "is too large: a whole number must be at most 9223372036854775807 in size")
      return .keep
    case let other?:
      record(
        name, "wrong_type", "must be a whole number, not \(other.typeName == "number" ? "a fraction" : other.typeName)")
      return .keep
    }
  }

  /// An optional integer: absent and `null` both read as nil.
  package mutating func optionalInt(_ name: String) -> Int64? {
    switch intChange(name) {
    case .set(let value): value
    case .keep, .clear: nil
    }
  }

  /// An optional boolean: absent and `null` both read as nil.
  package mutating func optionalBool(_ name: String) -> Bool? {
    read.insert(name)
    switch fields[name] {
    case nil, .null: return nil
    case .bool(let value): return value
    case let other?:
      record(name, "wrong_type", "must be true or false, not \(other.typeName)")
      return nil
    }
  }

  /// A required array of strings.
  package mutating func strings(_ name: String) -> [String] {
    read.insert(name)
    switch fields[name] {
    case .array(let elements):
      var values: [String] = []
      for (index, element) in elements.enumerated() {
        guard case .string(let value) = element, !value.unicodeScalars.contains("\u{0}") else {
          record("\(name)[\(index)]", "wrong_type", "must be a string without NUL characters")
          continue
        }
        values.append(value)
      }
      return values
    case nil, .null: record(name, "required", "is required")
    case let other?: record(name, "wrong_type", "must be an array, not \(other.typeName)")
    }
    return []
  }

  /// A required object whose members are all strings (`{"무게": "5kg"}`).
  package mutating func stringMap(_ name: String) -> [String: String] {
    read.insert(name)
    switch fields[name] {
    case .object(let members):
      var values: [String: String] = [:]
      for (key, member) in members {
        guard case .string(let value) = member, !value.unicodeScalars.contains("\u{0}") else {
          record("\(name).\(key)", "wrong_type", "must be a string without NUL characters")
          continue
        }
        values[key] = value
      }
      return values
    case nil, .null: record(name, "required", "is required")
    case let other?: record(name, "wrong_type", "must be an object, not \(other.typeName)")
    }
    return [:]
  }

  /// An optional array of strings, read as `strings` does; nil when absent or null.
  package mutating func optionalStrings(_ name: String) -> [String]? {
    switch fields[name] {
    case nil, .null:
      read.insert(name)
      return nil
    default: return strings(name)
    }
  }

  /// An optional object of strings, read as `stringMap` does; nil when absent or null.
  package mutating func optionalStringMap(_ name: String) -> [String: String]? {
    switch fields[name] {
    case nil, .null:
      read.insert(name)
      return nil
    default: return stringMap(name)
    }
  }

  /// An optional array of objects, read as `objects` does; nil when absent or null.
  package mutating func optionalObjects<T>(_ name: String, _ body: (inout InputReader) -> T) -> [T]? {
    switch fields[name] {
    case nil, .null:
      read.insert(name)
      return nil
    default: return objects(name, body)
    }
  }

  /// A nested object in a partial update, read by `body` with its own reader.
  package mutating func objectChange<T: Sendable>(
    _ name: String, _ body: (inout InputReader) throws -> T
  )
    -> FieldChange<T>
  {
    read.insert(name)
    switch fields[name] {
    case nil: return .keep
    case .null: return .clear
    case .object(let object):
      var nested = InputReader(object, prefix: qualified(name) + ".")
      do {
        let value = try body(&nested)
        try nested.finish()
        return .set(value)
      } catch let failure as ValidationFailure {
        for error in failure.errors { errors.append(error) }
      } catch let error as FieldError {
        errors.append(error)
      } catch {
        record(name, "invalid", "is not valid")
      }
      return .keep
    case let other?:
      record(name, "wrong_type", "must be an object or null, not \(other.typeName)")
      return .keep
    }
  }

  /// A required array of objects, each read by `body` with its own reader (field names in
  /// messages become `items[2].quantity`); every element's problems are collected.
  package mutating func objects<T>(_ name: String, _ body: (inout InputReader) -> T) -> [T] {
    read.insert(name)
    switch fields[name] {
    case .array(let elements):
      var values: [T] = []
      for (index, element) in elements.enumerated() {
        guard case .object(let object) = element else {
          record("\(name)[\(index)]", "wrong_type", "must be an object, not \(element.typeName)")
          continue
        }
        var nested = InputReader(object, prefix: qualified("\(name)[\(index)]") + ".")
        values.append(body(&nested))
        merge(nested)
      }
      return values
    case nil, .null:
      record(name, "required", "is required")
    case let other?:
      record(name, "wrong_type", "must be an array, not \(other.typeName)")
    }
    return []
  }

  /// An optional nested object read by `body` with its own reader; nil when absent or null.
  package mutating func optionalObject<T>(_ name: String, _ body: (inout InputReader) -> T) -> T? {
    read.insert(name)
    switch fields[name] {
    case nil, .null: return nil
    case .object(let object):
      var nested = InputReader(object, prefix: qualified(name) + ".")
      let value = body(&nested)
      merge(nested)
      return value
    case let other?:
      record(name, "wrong_type", "must be an object or null, not \(other.typeName)")
      return nil
    }
  }

  /// The whole input as canonical JSON text (keys sorted, the runtime's common fields left out):
  /// two requests with the same content give the same text, however their keys were ordered.
  package var canonicalText: String {
    JSONValue.object(fields.filter { !Self.commonFields.contains($0.key) }).serialized
  }

  /// Takes over a nested reader's problems, its unknown fields included.
  private mutating func merge(_ nested: InputReader) {
    do {
      try nested.finish()
    } catch let failure as ValidationFailure {
      for error in failure.errors { errors.append(error) }
    } catch {
      errors.append(FieldError(field: nested.prefix, code: "invalid", message: "is not valid"))
    }
  }

  /// Throws a `ValidationFailure` listing every missing, mistyped and unknown field.
  package func finish() throws {
    var all = errors
    for name in fields.keys.sorted() where !read.contains(name) {
      all.append(
        FieldError(field: qualified(name), code: "unknown_field", message: "\(qualified(name)) is not a known field"))
    }
    try all.throwIfAny()
  }

  private func qualified(_ name: String) -> String { prefix + name }

  private mutating func record(_ name: String, _ code: String, _ why: String) {
    errors.append(FieldError(field: qualified(name), code: code, message: "\(qualified(name)) \(why)"))
  }
}
