/// A point in time as whole milliseconds since the Unix epoch (UTC).
///
/// The core keeps time as an integer so it needs no Foundation and stores exactly in SQLite;
/// the edges format it as RFC 3339 text.
package struct Timestamp: Comparable, Hashable, Sendable, CustomStringConvertible {
  /// Milliseconds since 1970-01-01T00:00:00Z.
  package var milliseconds: Int64

  package init(milliseconds: Int64) {
    self.milliseconds = milliseconds
  }

  /// The instant `seconds` whole seconds after the epoch.
  package init(seconds: Int64) {
    milliseconds = seconds * 1000
  }

  /// Whole seconds since the epoch, rounded down (JWT `NumericDate`).
  package var seconds: Int64 { milliseconds.floorDivided(by: 1000) }

  /// This instant moved by `seconds` (negative moves back).
  package func adding(seconds: Int64) -> Timestamp {
    Timestamp(milliseconds: milliseconds + seconds * 1000)
  }

  package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.milliseconds < rhs.milliseconds
  }

  package var description: String { "\(milliseconds)ms" }
}

/// Where the core asks for the current time; tests pass a fixed or stepping clock.
package protocol Clock: Sendable {
  /// The current instant.
  func now() -> Timestamp
}

extension Int64 {
  fileprivate func floorDivided(by divisor: Int64) -> Int64 {
    let (q, r) = quotientAndRemainder(dividingBy: divisor)
    return r < 0 ? q - 1 : q
  }
}
