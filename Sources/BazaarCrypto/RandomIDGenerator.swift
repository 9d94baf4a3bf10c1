package import BazaarCore

/// Time-ordered random ids in the ULID layout: 48 bits of milliseconds then 80 random bits,
/// written as 26 lower-case Crockford base-32 characters.
///
/// The random bits come from the kernel's CSPRNG (`getrandom(2)`, through the standard
/// library's `SystemRandomNumberGenerator`), the source OpenSSL's own DRBG seeds from: one
/// system call, no file to open per id. Ids must be unguessable but are not keys; drawing them without
/// instantiating OpenSSL's DRBG (which fetches AES-CTR from its provider) keeps a request
/// that needs no other randomness off that set-up. Salts and secrets use `SecureRandom`.
package struct RandomIDGenerator: IDGenerator {
  private let clock: any Clock
  private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

  package init(clock: any Clock) {
    self.clock = clock
  }

  package func next() -> String {
    var system = SystemRandomNumberGenerator()
    let (word, half): (UInt64, UInt16) = (system.next(), system.next())
    let random =
      (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } + [
        UInt8(truncatingIfNeeded: half), UInt8(truncatingIfNeeded: half >> 8),
      ]
    return Self.encode(milliseconds: UInt64(max(0, clock.now().milliseconds)), random: random)
  }

  /// The 26-character id for this time and these 10 random bytes.
  static func encode(milliseconds: UInt64, random: [UInt8]) -> String {
    var high = milliseconds & 0xFFFF_FFFF_FFFF  // 48 bits of time
    var low: UInt64 = 0  // 80 bits split: 16 in `high`'s tail, 64 here
    high = high << 16 | UInt64(random[0]) << 8 | UInt64(random[1])
    for byte in random[2..<10] { low = low << 8 | UInt64(byte) }
    var chars = [UInt8](repeating: 0, count: 26)
    // 128 bits = 2 leading zero bits + 26 groups of 5, read from the low end.
    for index in stride(from: 25, through: 0, by: -1) {
      chars[index] = alphabet[Int(low & 31)]
      low = low >> 5 | (high & 31) << 59
      high >>= 5
    }
    return String(decoding: chars, as: UTF8.self)
  }
}

/// Callback-state secrets: 32 bytes from OpenSSL's CSPRNG, base64url (43 characters).
package struct RandomSecrets: SecretGenerator {
  package init() {}

  package func secret() -> String {
    guard let bytes = try? SecureRandom.bytes(32) else { preconditionFailure("OpenSSL's RAND_bytes failed") }
    return Base64.urlEncoded(bytes)
  }
}
