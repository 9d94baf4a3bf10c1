/// An amount of Korean won. KRW has no minor unit, so whole won are the minor units.
///
/// Amounts are integers end to end (input, store, output): prices and totals are never
/// floating point, and the server computes every total itself.
package struct Money: Comparable, Hashable, Sendable, CustomStringConvertible {
  /// Whole won.
  package var won: Int64

  package init(won: Int64) {
    self.won = won
  }

  /// The ISO 4217 code shown next to every amount.
  package static let currency = "KRW"

  /// The prices a product may have: ₩1 to ₩1,000,000,000 (a bound that keeps any order
  /// total of up to 1,000 lines far inside 64 bits).
  package static let priceRange: ClosedRange<Int64> = 1...1_000_000_000

  /// Checks that `won` is a valid product price for `field`.
  package static func price(_ won: Int64, field: String = "price") throws(FieldError) -> Money {
    guard priceRange.contains(won) else {
      throw FieldError(
        field: field, code: "out_of_range",
        message: "\(field) must be a whole number of won from \(priceRange.lowerBound) to \(priceRange.upperBound)")
    }
    return Money(won: won)
  }

  package static func < (lhs: Money, rhs: Money) -> Bool { lhs.won < rhs.won }

  package var description: String { "₩\(won)" }
}
