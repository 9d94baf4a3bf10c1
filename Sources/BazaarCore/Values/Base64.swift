/// Base64 without padding, in the URL-safe (RFC 4648 §5) and standard (§4) alphabets: pure
/// computation, shared by tokens, password hashes and paging cursors.
package enum Base64 {
  private static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
  private static let standardAlphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  /// Encodes with the URL-safe alphabet and no padding (JWS, RFC 7515 §2).
  package static func urlEncoded(_ bytes: [UInt8]) -> String {
    encode(bytes, alphabet: urlAlphabet)
  }

  /// Encodes with the standard alphabet and no padding (password-hash strings).
  package static func standardEncoded(_ bytes: [UInt8]) -> String {
    encode(bytes, alphabet: standardAlphabet)
  }

  /// Encodes with the standard alphabet and `=` padding (RFC 4648 §4, as `base64` writes it).
  package static func standardPadded(_ bytes: [UInt8]) -> String {
    let text = encode(bytes, alphabet: standardAlphabet)
    return text + String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
  }

  /// Decodes unpadded URL-safe base64; nil for any other character, padding or a dangling bit.
  package static func urlDecoded(_ text: Substring) -> [UInt8]? {
    decode(text, alphabet: urlAlphabet)
  }

  /// Decodes unpadded standard base64; nil for anything else.
  package static func standardDecoded(_ text: Substring) -> [UInt8]? {
    decode(text, alphabet: standardAlphabet)
  }

  /// Decodes standard base64 with or without its `=` padding (RFC 4648 §4, as `base64 -w0`
  /// writes it); nil for anything else, line breaks included.
  package static func standardDecoded(padded text: Substring) -> [UInt8]? {
    var body = text
    if body.utf8.last == UInt8(ascii: "=") {
      guard body.utf8.count % 4 == 0 else { return nil }
      body = body.dropLast(body.hasSuffix("==") ? 2 : 1)
    }
    return decode(body, alphabet: standardAlphabet)
  }

  private static func encode(_ bytes: [UInt8], alphabet: [UInt8]) -> String {
    var out = [UInt8]()
    out.reserveCapacity((bytes.count * 4 + 2) / 3)
    var i = 0
    while i + 3 <= bytes.count {
      let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
      out += [
        alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)],
      ]
      i += 3
    }
    let rest = bytes.count - i
    if rest == 1 {
      let v = UInt32(bytes[i]) << 16
      out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)]]
    } else if rest == 2 {
      let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
      out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)]]
    }
    return String(decoding: out, as: UTF8.self)
  }

  private static func decode(_ text: Substring, alphabet: [UInt8]) -> [UInt8]? {
    var table = [Int8](repeating: -1, count: 256)
    for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
    var out = [UInt8]()
    out.reserveCapacity(text.utf8.count * 3 / 4)
    var buffer: UInt32 = 0
    var bits = 0
    for byte in text.utf8 {
      let value = table[Int(byte)]
      guard value >= 0 else { return nil }
      buffer = buffer << 6 | UInt32(value)
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
      }
    }
    // A length of 1 mod 4 cannot come from whole bytes, and leftover bits must be zero.
    guard bits < 6, buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
    return out
  }
}
