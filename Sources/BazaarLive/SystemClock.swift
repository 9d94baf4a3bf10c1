package import BazaarCore
internal import Foundation

/// The real clock: wall-clock time in whole milliseconds.
package struct SystemClock: Clock {
  package init() {}

  package func now() -> Timestamp {
    Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
  }
}
