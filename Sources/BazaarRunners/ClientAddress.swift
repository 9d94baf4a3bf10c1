/// Which address a request came from, for throttling sign-ins: the peer's, unless the peer is a
/// proxy the operator trusts (`BAZAAR_TRUSTED_PROXIES`), in which case the last hop it appended
/// to `X-Forwarded-For`. Hops before the last are whatever the client wrote, so they never count.
package enum ClientAddress {
  /// The client's address; "local" when the transport has no peer (the shell).
  package static func resolve(peer: String?, forwardedFor: String?, trusted: Set<String>) -> String {
    guard let peer, !peer.isEmpty else { return "local" }
    guard trusted.contains(peer), let forwardedFor,
      let last = forwardedFor.split(separator: ",").last.map({ $0.filter { $0 != " " && $0 != "\t" } }),
      isAddress(last)
    else { return String(peer.prefix(100)) }
    return String(last)
  }

  /// Whether `text` looks like an IPv4 or IPv6 literal (hex digits, dots and colons, at most 45).
  package static func isAddress<S: StringProtocol>(_ text: S) -> Bool {
    !text.isEmpty && text.utf8.count <= 45
      && text.utf8.allSatisfy {
        switch $0 {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
          UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: "."), UInt8(ascii: ":"):
          true
        default: false
        }
      }
  }
}
