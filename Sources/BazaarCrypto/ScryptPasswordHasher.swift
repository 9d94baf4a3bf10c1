internal import BazaarCore

/// Password hashes made with scrypt, in a self-describing string:
/// `$scrypt$ln=15,r=8,p=1$<salt>$<key>` (standard base64, unpadded; the passlib layout).
///
/// The parameters travel with each hash, so raising them later only changes new hashes;
/// `needsRehash` tells sign-in to upgrade an old one.
package struct ScryptPasswordHasher: PasswordHasher {
  /// log2 of the CPU/memory cost N.
  package var logN: UInt8
  /// Block size r.
  package var r: UInt32
  /// Parallelism p.
  package var p: UInt32

  /// Bytes of random salt per hash.
  package static let saltLength = 16
  /// Bytes of derived key stored.
  package static let keyLength = 32

  /// Bazaar's defaults: N = 2^15 (32 MiB, about 0.1 s on one core), r = 8, p = 1.
  package init(logN: UInt8 = 15, r: UInt32 = 8, p: UInt32 = 1) {
    self.logN = logN
    self.r = r
    self.p = p
  }

  package func hash(_ password: String) throws -> String {
    let salt = try SecureRandom.bytes(Self.saltLength)
    let key = try derive(password, salt: salt, parameters: Parameters(logN: logN, r: r, p: p))
    return Self.format(Parameters(logN: logN, r: r, p: p), salt: salt, key: key)
  }

  package func verify(_ password: String, against encoded: String) -> Bool {
    guard let parsed = Self.parse(encoded),
      let key = try? derive(password, salt: parsed.salt, parameters: parsed.parameters)
    else { return false }
    return constantTimeEquals(key, parsed.key)
  }

  package func needsRehash(_ encoded: String) -> Bool {
    guard let parsed = Self.parse(encoded) else { return true }
    return parsed.parameters.logN < logN || parsed.parameters.r < r || parsed.parameters.p < p
      || parsed.key.count != Self.keyLength
  }

  package var decoyHash: String {
    Self.format(
      Parameters(logN: logN, r: r, p: p), salt: [UInt8](repeating: 0x5a, count: Self.saltLength),
      key: [UInt8](repeating: 0, count: Self.keyLength))
  }

  struct Parameters: Equatable {
    var logN: UInt8
    var r: UInt32
    var p: UInt32
  }

  private func derive(_ password: String, salt: [UInt8], parameters: Parameters) throws -> [UInt8] {
    try Scrypt.derive(
      password: Array(password.utf8), salt: salt, n: 1 << UInt64(parameters.logN), r: UInt64(parameters.r),
      p: UInt64(parameters.p), length: Self.keyLength)
  }

  static func format(_ parameters: Parameters, salt: [UInt8], key: [UInt8]) -> String {
    "$scrypt$ln=\(parameters.logN),r=\(parameters.r),p=\(parameters.p)$"
      + Base64.standardEncoded(salt) + "$" + Base64.standardEncoded(key)
  }

  /// Reads a stored hash; nil when it is not of this format or its parameters are out of the
  /// bounds a stored string may ask for (so a tampered row cannot demand gigabytes).
  static func parse(_ encoded: String) -> (parameters: Parameters, salt: [UInt8], key: [UInt8])? {
    let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
    guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
    var values: [Substring: UInt32] = [:]
    for pair in parts[2].split(separator: ",") {
      let kv = pair.split(separator: "=", maxSplits: 1)
      guard kv.count == 2, let value = UInt32(kv[1]) else { return nil }
      values[kv[0]] = value
    }
    guard values.count == 3, let ln = values["ln"], let r = values["r"], let p = values["p"],
      (1...20).contains(ln), (1...32).contains(r), (1...16).contains(p),
      let salt = Base64.standardDecoded(parts[3]), !salt.isEmpty,
      let key = Base64.standardDecoded(parts[4]), (16...64).contains(key.count)
    else { return nil }
    return (Parameters(logN: UInt8(ln), r: r, p: p), salt, key)
  }
}
