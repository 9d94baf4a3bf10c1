internal import COpenSSL

/// Initialises libcrypto once, before its first use, without reading `openssl.cnf` and
/// without building the legacy cipher and digest name tables: Bazaar fetches only SHA-256
/// HMAC, scrypt and the DRBG from the default provider, and a handler process pays
/// OpenSSL's set-up on every request.
let openSSLReady: Bool = {
  OPENSSL_init_crypto(
    UInt64(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS), nil)
    == 1
}()

/// A failure inside OpenSSL; carries the function that failed. Never carries secret material.
package struct CryptoFailure: Error, Equatable, Sendable {
  package var function: String
}

/// Cryptographically secure random bytes from OpenSSL's DRBG (`RAND_bytes`).
package enum SecureRandom {
  /// `count` random bytes.
  package static func bytes(_ count: Int) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    guard count > 0 else { return out }
    precondition(openSSLReady, "OpenSSL failed to initialise")
    let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
    guard ok == 1 else { throw CryptoFailure(function: "RAND_bytes") }
    return out
  }
}

/// Compares two byte strings in time that depends only on their length (`CRYPTO_memcmp`).
package func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
  guard a.count == b.count else { return false }
  guard !a.isEmpty else { return true }
  return a.withUnsafeBytes { pa in
    b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 }
  }
}

/// SHA-256 (FIPS 180-4) through OpenSSL's `SHA256_Init`…, which need no provider fetch (the EVP
/// interface fetches the digest from OpenSSL 3's default provider first, a cost every one-shot
/// process checking a token would pay; see `HMACSHA256`).
package enum SHA256 {
  /// The 32-byte digest of the parts, one after another.
  package static func digest(_ parts: [UInt8]...) -> [UInt8] {
    var context = SHA256_CTX()
    var ok = SHA256_Init(&context) == 1
    for part in parts {
      part.withUnsafeBytes { ok = ok && SHA256_Update(&context, $0.baseAddress, $0.count) == 1 }
    }
    var out = [UInt8](repeating: 0, count: 32)
    ok = ok && SHA256_Final(&out, &context) == 1
    precondition(ok, "SHA-256 failed inside OpenSSL")
    return out
  }

  /// The digest of `bytes` in lower-case hex.
  package static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: digest(bytes).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
  }
}

/// HMAC with SHA-256 (RFC 2104, FIPS 198-1), composed here from `SHA256`: OpenSSL 3's
/// one-shot `HMAC()` first fetches the algorithm from its default provider, which cost a
/// one-shot process 0.4 ms before its first token check (measured).
package enum HMACSHA256 {
  private static let blockSize = 64

  /// The 32-byte authentication code of `message` under `key`.
  package static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
    // A key longer than a block is hashed first; the block is the key padded with zeros.
    var block = key.count > blockSize ? SHA256.digest(key) : key
    block += [UInt8](repeating: 0, count: blockSize - block.count)
    let inner = SHA256.digest(block.map { $0 ^ 0x36 }, message)
    return SHA256.digest(block.map { $0 ^ 0x5C }, inner)
  }
}

/// The scrypt key-derivation function (RFC 7914) through `EVP_PBE_scrypt`.
package enum Scrypt {
  /// Derives `length` bytes from `password` and `salt` with cost `n` (a power of two), block size
  /// `r` and parallelism `p`.
  package static func derive(
    password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int
  ) throws -> [UInt8] {
    precondition(openSSLReady, "OpenSSL failed to initialise")
    var out = [UInt8](repeating: 0, count: length)
    // OpenSSL refuses work above maxmem: B (128·r·p) plus V (128·r·(N+2)), plus slack.
    let maxMemory = 128 * r * (n + p + 2) + (1 << 20)
    let passwordBytes = password.isEmpty ? [0] : password
    let saltBytes = salt.isEmpty ? [0] : salt
    let ok = passwordBytes.withUnsafeBytes { pw in
      saltBytes.withUnsafeBytes { s in
        out.withUnsafeMutableBufferPointer { o in
          EVP_PBE_scrypt(
            pw.bindMemory(to: CChar.self).baseAddress, password.count,
            s.bindMemory(to: UInt8.self).baseAddress, salt.count, n, r, p, maxMemory, o.baseAddress, length)
        }
      }
    }
    guard ok == 1 else { throw CryptoFailure(function: "EVP_PBE_scrypt") }
    return out
  }
}
