internal import Synchronization

/// A counter of work in flight that refuses, rather than queues, past its limit: a runner
/// at capacity answers 429 at once instead of letting requests pile up behind slow ones.
package final class ConcurrencyLimit: Sendable {
  package let limit: Int
  private let inFlight = Mutex(0)

  package init(limit: Int) {
    self.limit = limit
  }

  /// Takes a slot; false when all `limit` are taken. A taken slot must be `release()`d.
  package func acquire() -> Bool {
    inFlight.withLock { count in
      guard count < limit else { return false }
      count += 1
      return true
    }
  }

  package func release() {
    inFlight.withLock { $0 -= 1 }
  }
}
