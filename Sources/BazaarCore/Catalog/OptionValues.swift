/// A variant's option values, one per option of its product, in the options' order: at most
/// three (`VariantRules.maxOptions`), kept inline, so a product's hundred variants need no
/// array each. Compares, hashes and iterates like the array of its values.
package struct OptionValues: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral {
  private var first = ""
  private var second = ""
  private var third = ""
  package private(set) var count = 0

  /// At most three values.
  package init(_ values: some Sequence<String>) {
    for value in values { append(value) }
  }

  package init(arrayLiteral values: String...) {
    self.init(values)
  }

  package var startIndex: Int { 0 }
  package var endIndex: Int { count }

  package subscript(position: Int) -> String {
    precondition(position >= 0 && position < count, "option value \(position) of \(count)")
    switch position {
    case 0: return first
    case 1: return second
    default: return third
    }
  }

  /// Adds the value of the next option; a variant has at most three.
  package mutating func append(_ value: String) {
    switch count {
    case 0: first = value
    case 1: second = value
    case 2: third = value
    default: preconditionFailure("a variant has at most three option values")
    }
    count += 1
  }
}
