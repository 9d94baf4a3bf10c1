/// The opaque `nextCursor` of an order listing: the last order's position, and which listing
/// (the buyer's or a seller's, and the status filter) it belongs to.
package struct OrderCursor: Equatable, Sendable {
  /// Whose listing: `user` or `seller`.
  package var scope: String
  package var status: OrderStatus?
  package var position: OrderPosition

  package init(scope: String, status: OrderStatus?, position: OrderPosition) {
    self.scope = scope
    self.status = status
    self.position = position
  }

  private static let separator: Character = "\u{1F}"

  /// base64url of `o1 scope status createdAt id` (opaque to clients, not secret).
  package var encoded: String {
    let text = ["o1", scope, status?.rawValue ?? "", String(position.createdAt.milliseconds), position.id.rawValue]
      .joined(separator: String(Self.separator))
    return Base64.urlEncoded(Array(text.utf8))
  }

  /// The cursor `encoded` holds, or nil when it is not one this server minted.
  package init?(encoded: String) {
    guard encoded.utf8.count <= 256, let bytes = Base64.urlDecoded(encoded[...]),
      let text = String(validating: bytes, as: UTF8.self)
    else { return nil }
    let parts = text.split(separator: Self.separator, omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 5, parts[0] == "o1", parts[1] == "user" || parts[1] == "seller",
      parts[2].isEmpty || OrderStatus(rawValue: parts[2]) != nil, let created = Int64(parts[3]),
      let id = OrderID(checking: parts[4])
    else { return nil }
    scope = parts[1]
    status = OrderStatus(rawValue: parts[2])
    position = OrderPosition(createdAt: Timestamp(milliseconds: created), id: id)
  }
}
