/// What a partial update does to one optional field: leave it, clear it, or set it.
package enum FieldChange<Value: Sendable>: Sendable {
  /// The field was absent from the request.
  case keep
  /// The field was `null`.
  case clear
  /// The field had a value.
  case set(Value)

  /// The field's value after the change is applied to `current`.
  package func applied(to current: Value?) -> Value? {
    switch self {
    case .keep: current
    case .clear: nil
    case .set(let value): value
    }
  }

  /// The same change with the value transformed (for validation).
  package func map<T>(_ transform: (Value) throws -> T) rethrows -> FieldChange<T> {
    switch self {
    case .keep: .keep
    case .clear: .clear
    case .set(let value): .set(try transform(value))
    }
  }
}
