/// How long a failed message waits before its next delivery.
public enum RetryBackoff: Equatable, Sendable, CustomStringConvertible {
  /// Sidekiq's curve: `count⁴ + 15 + rand(10)·(count + 1)` seconds, `count` being the retries so far.
  case sidekiq
  /// The same wait every time.
  case fixed(milliseconds: Int64)
  /// `base · 2^count` milliseconds, capped.
  case exponential(baseMilliseconds: Int64, capMilliseconds: Int64)

  /// The delay in milliseconds after the `receives`-th delivery failed; `random(n)` is in `0..<n`.
  public func delayMilliseconds(afterReceives receives: Int, random: (Int) -> Int) -> Int64 {
    let count = Int64(max(0, receives - 1))
    switch self {
    case .sidekiq:
      let capped = min(count, 1000)
      return (capped * capped * capped * capped + 15 + Int64(random(10)) * (capped + 1)) * 1000
    case .fixed(let milliseconds):
      return milliseconds
    case .exponential(let base, let cap):
      return count >= 62
        ? cap : min(cap, base.multipliedReportingOverflow(by: 1 << count).overflow ? cap : base << count)
    }
  }

  /// `sidekiq`, `fixed:MS` or `exponential:BASE_MS:CAP_MS`.
  public var description: String {
    switch self {
    case .sidekiq: "sidekiq"
    case .fixed(let milliseconds): "fixed:\(milliseconds)"
    case .exponential(let base, let cap): "exponential:\(base):\(cap)"
    }
  }

  /// Parses the `description` form.
  public init?(_ text: String) {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    switch (parts.first, parts.count) {
    case ("sidekiq", 1): self = .sidekiq
    case ("fixed", 2):
      guard let milliseconds = Int64(parts[1]), milliseconds >= 0 else { return nil }
      self = .fixed(milliseconds: milliseconds)
    case ("exponential", 3):
      guard let base = Int64(parts[1]), let cap = Int64(parts[2]), base > 0, cap >= base else { return nil }
      self = .exponential(baseMilliseconds: base, capMilliseconds: cap)
    default: return nil
    }
  }
}
