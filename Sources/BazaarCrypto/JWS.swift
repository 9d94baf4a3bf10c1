internal import BazaarCore

/// The compact JWS form (RFC 7515 §7.1) with the HS256 algorithm, below any claim semantics.
package enum JWS {
  /// Longest token accepted; bounds the work an attacker's header can cause.
  package static let maxTokenLength = 8192

  /// A token's three segments, decoded, after its HS256 signature was checked.
  package struct Verified: Sendable {
    /// The JOSE header's bytes.
    package var header: [UInt8]
    /// The payload's bytes.
    package var payload: [UInt8]
  }

  /// `header.payload.signature` with the signature computed over the first two segments.
  package static func signHS256(encodedHeader: String, payload: [UInt8], key: [UInt8]) -> String {
    let signingInput = encodedHeader + "." + Base64.urlEncoded(payload)
    let mac = HMACSHA256.authenticationCode(key: key, message: Array(signingInput.utf8))
    return signingInput + "." + Base64.urlEncoded(mac)
  }

  /// Splits and decodes `token`, checks with `checkHeader` (which throws for algorithms other
  /// than HS256) and then the signature in constant time.
  package static func verifyHS256(
    _ token: String, key: [UInt8], checkHeader: ([UInt8]) throws -> Void
  ) throws -> Verified {
    guard token.utf8.count <= maxTokenLength else { throw AuthErrorBox.malformed("token is too long") }
    // Split on the bytes: a token is ASCII, and splitting the `String` would walk Characters.
    let segments = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Substring.init)
    guard segments.count == 3 else { throw AuthErrorBox.malformed("a JWT has three dot-separated segments") }
    guard let header = Base64.urlDecoded(segments[0]), !header.isEmpty else {
      throw AuthErrorBox.malformed("header is not base64url")
    }
    try checkHeader(header)
    guard let signature = Base64.urlDecoded(segments[2]) else {
      throw AuthErrorBox.malformed("signature is not base64url")
    }
    let signingInput = Array(token.utf8.prefix(segments[0].utf8.count + 1 + segments[1].utf8.count))
    let expected = HMACSHA256.authenticationCode(key: key, message: signingInput)
    guard constantTimeEquals(expected, signature) else { throw AuthErrorBox.badSignature }
    guard let payload = Base64.urlDecoded(segments[1]) else { throw AuthErrorBox.malformed("payload is not base64url") }
    return Verified(header: header, payload: payload)
  }
}
