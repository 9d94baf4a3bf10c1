internal import BazaarCore
internal import BazaarCrypto

/// Request ids: taken from the caller when they are safe to echo, generated otherwise.
package enum RequestID {
  /// `candidate` if it is 1 to 128 characters of `[A-Za-z0-9._-]`, else a new random id.
  package static func from(_ candidate: String?) -> String {
    if let candidate, candidate.isPlainToken(maxLength: 128) { return candidate }
    return "req_" + RandomIDGenerator(clock: SystemClock()).next()
  }
}
