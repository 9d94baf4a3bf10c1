internal import BazaarCrypto

/// Request ids: taken from the caller when they are safe to echo, generated otherwise.
package enum RequestID {
  /// `candidate` if it is 1 to 128 characters of `[A-Za-z0-9._-]`, else a new random id.
  package static func from(_ candidate: String?) -> String {
    if let candidate, (1...128).contains(candidate.utf8.count),
      candidate.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D })
    {
      return candidate
    }
    return "req_" + RandomIDGenerator(clock: SystemClock()).next()
  }
}

extension UInt8 {
  fileprivate var isASCIIAlphanumeric: Bool {
    (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
  }
}
