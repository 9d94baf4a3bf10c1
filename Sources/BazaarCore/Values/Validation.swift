/// One problem with one input field, reported back to the caller by name.
package struct FieldError: Error, Equatable, Sendable {
  /// The input field, as the caller spelled it (`shippingAddress.postalCode` for nested fields).
  package var field: String
  /// A stable snake_case reason: `required`, `wrong_type`, `unknown_field`, `invalid`, `too_short`, …
  package var code: String
  /// A sentence a person can act on.
  package var message: String

  package init(field: String, code: String, message: String) {
    self.field = field
    self.code = code
    self.message = message
  }
}

/// Every field problem found in one input, thrown together so the caller can fix them at once.
package struct ValidationFailure: Error, Equatable, Sendable {
  package var errors: [FieldError]

  package init(_ errors: [FieldError]) {
    self.errors = errors
  }
}

/// Collects field problems while a use case validates its input, then throws them together.
package struct FieldErrors: Sendable {
  package private(set) var errors: [FieldError] = []

  package init() {}

  /// Runs `check`, records the `FieldError` it throws (validators throw nothing else), and
  /// returns its value otherwise.
  package mutating func collect<T>(_ check: () throws -> T) -> T? {
    do {
      return try check()
    } catch let error as FieldError {
      errors.append(error)
    } catch {
      errors.append(FieldError(field: "", code: "invalid", message: "the input is not valid"))
    }
    return nil
  }

  /// Records one problem.
  package mutating func append(_ error: FieldError) {
    errors.append(error)
  }

  /// Throws a `ValidationFailure` when anything was recorded.
  package func throwIfAny() throws {
    if !errors.isEmpty { throw ValidationFailure(errors) }
  }
}

/// Text rules shared by the free-text fields of every entity.
package enum TextRule {
  /// Trims surrounding white space and checks the length and that no control characters
  /// remain; returns the trimmed text. Length counts Unicode scalars, as SQLite's `length()`
  /// in the tables' CHECK constraints and JSON Schema's `maxLength` do (an emoji with
  /// modifiers is several). The maximum applies to the text as sent, the minimum to the
  /// trimmed text, so that docs/openapi.yaml can state both exactly.
  /// `multiline` text may also hold line breaks and tabs.
  package static func check(
    _ raw: String, field: String, min: Int = 1, max: Int, multiline: Bool = false
  ) throws(FieldError) -> String {
    let text = raw.trimmingWhitespace()
    let allowed: Set<Unicode.Scalar> = multiline ? ["\n", "\r", "\t"] : []
    if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) {
      throw FieldError(field: field, code: "invalid", message: "\(field) must not contain control characters")
    }
    if text.unicodeScalars.contains(where: {
      (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value)
    }) {
      throw FieldError(
        field: field, code: "invalid",
        message: "\(field) must not contain bidirectional embedding or override characters")
    }
    let length = text.unicodeScalars.count
    if raw.unicodeScalars.count > max {
      throw FieldError(field: field, code: "too_long", message: "\(field) must be at most \(max) characters")
    }
    if length < min {
      throw FieldError(
        field: field, code: min <= 1 ? "required" : "too_short",
        message: min <= 1 ? "\(field) must not be empty" : "\(field) must be at least \(min) characters")
    }
    return text
  }
}

extension String {
  /// Whether the string is 1 to `maxLength` characters of `[A-Za-z0-9._-]`: safe to echo in a
  /// header or a log line (request ids, token ids).
  package func isPlainToken(maxLength: Int) -> Bool {
    (1...maxLength).contains(utf8.count)
      && utf8.allSatisfy {
        (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2E
          || $0 == 0x5F || $0 == 0x2D
      }
  }

  /// The string without leading and trailing white space, newlines or zero-width characters
  /// (U+200B–U+200D, U+2060, U+FEFF): a name of only invisible characters is an empty name.
  package func trimmingWhitespace() -> String {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { !$0.isBlank }) else { return "" }
    let last = scalars.lastIndex(where: { !$0.isBlank })!
    return String(scalars[first...last])
  }
}

extension Unicode.Scalar {
  /// White space, or a character with no width.
  fileprivate var isBlank: Bool {
    properties.isWhitespace || (0x200B...0x200D).contains(value) || value == 0x2060 || value == 0xFEFF
  }
}
