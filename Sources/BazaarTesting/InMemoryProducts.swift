internal import BazaarCore
internal import Foundation

/// Products in memory, with listings answered by brute force the way the SQLite adapter's
/// FTS5 index and keyset cursors answer them.
struct InMemoryProducts: ProductRepository {
  let transaction: InMemoryTransaction

  func insert(_ product: Product) throws {
    transaction.mutate { $0.products[product.id] = product }
  }

  func product(id: ProductID) throws -> Product? {
    transaction.state.products[id].flatMap { $0.deletedAt == nil ? $0 : nil }
  }

  func listedProduct(id: ProductID) throws -> Product? {
    try product(id: id).flatMap { isListed($0) ? $0 : nil }
  }

  func update(_ product: Product) throws {
    transaction.mutate { state in
      guard let stored = state.products[product.id] else { return }
      var saved = product
      saved.reserved = stored.reserved
      saved.createdAt = stored.createdAt
      state.products[product.id] = saved
    }
  }

  func adjustReserved(of id: ProductID, by delta: Int64) throws -> Bool {
    try transaction.mutate { state in
      guard let product = state.products[id] else { return false }
      let (reserved, overflow) = product.reserved.addingReportingOverflow(delta)
      guard !overflow, (0...product.stock).contains(reserved) else { return false }
      state.products[id]?.reserved = reserved
      return true
    }
  }

  func consumeReserved(of id: ProductID, by quantity: Int64) throws -> Bool {
    try transaction.mutate { state in
      guard let product = state.products[id], (0...product.reserved).contains(quantity) else { return false }
      state.products[id]?.stock -= quantity
      state.products[id]?.reserved -= quantity
      return true
    }
  }

  func list(_ query: ProductQuery) throws -> [Product] {
    let filter = query.filter
    let selected = transaction.state.products.values.filter { product in
      guard isListed(product) else { return false }
      if let low = filter.minPrice, product.price.won < low { return false }
      if let high = filter.maxPrice, product.price.won > high { return false }
      if let seller = filter.sellerID, product.sellerID != seller { return false }
      if let category = filter.category, product.category != category { return false }
      guard let text = filter.text else { return true }
      let columns = [Self.tokens(product.name), Self.tokens(product.description)]
      return text.terms.allSatisfy { term in columns.contains { Self.matches(phrase: Self.tokens(term), in: $0) } }
    }
    let ordered = selected.sorted { Self.precedes($0, $1, in: query.sort) }
    let after = query.after.map { position in
      ordered.firstIndex { !Self.precedes($0, position, in: query.sort) && !Self.isAt($0, position, in: query.sort) }
        ?? ordered.count
    }
    return Array(ordered[(after ?? 0)...].prefix(query.limit))
  }

  private func isListed(_ product: Product) -> Bool {
    product.deletedAt == nil && transaction.state.sellers[product.sellerID]?.seller.status == .active
  }

  /// unicode61 with `remove_diacritics`: runs of letters and digits, lower-cased, accents dropped.
  static func tokens(_ text: String) -> [String] {
    text.folding(options: .diacriticInsensitive, locale: nil)
      .split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map { $0.lowercased() }
  }

  /// An FTS5 prefix phrase (`"t-shirt"*`): the tokens in a row, the last one as a prefix.
  static func matches(phrase: [String], in words: [String]) -> Bool {
    guard let last = phrase.last else { return true }
    guard words.count >= phrase.count else { return false }
    return (0...(words.count - phrase.count)).contains { start in
      zip(phrase.dropLast(), words[start...]).allSatisfy { $0 == $1 } && words[start + phrase.count - 1].hasPrefix(last)
    }
  }

  /// The sort's key for `product`, compared as SQLite compares it (NOCASE folds ASCII only).
  private static func key(_ product: Product, _ sort: ProductSort) -> ProductPosition.Key {
    ProductPosition(of: product, in: sort).key
  }

  private static func precedes(_ product: Product, _ position: ProductPosition, in sort: ProductSort) -> Bool {
    compare(key(product, sort), product.id, position.key, position.id, sort) < 0
  }

  private static func isAt(_ product: Product, _ position: ProductPosition, in sort: ProductSort) -> Bool {
    compare(key(product, sort), product.id, position.key, position.id, sort) == 0
  }

  private static func precedes(_ a: Product, _ b: Product, in sort: ProductSort) -> Bool {
    compare(key(a, sort), a.id, key(b, sort), b.id, sort) < 0
  }

  /// -1, 0 or 1: where (key, id) stands against (otherKey, otherID) in the listing's order.
  private static func compare(
    _ key: ProductPosition.Key, _ id: ProductID, _ otherKey: ProductPosition.Key, _ otherID: ProductID,
    _ sort: ProductSort
  ) -> Int {
    let keyOrder: Int
    switch (key, otherKey) {
    case (.integer(let a), .integer(let b)): keyOrder = a < b ? -1 : a > b ? 1 : 0
    case (.text(let a), .text(let b)):
      let (x, y) = (nocase(a), nocase(b))
      keyOrder = x.lexicographicallyPrecedes(y) ? -1 : y.lexicographicallyPrecedes(x) ? 1 : 0
    default: keyOrder = 0
    }
    let x = Array(id.rawValue.utf8)
    let y = Array(otherID.rawValue.utf8)
    let idOrder = x.lexicographicallyPrecedes(y) ? -1 : y.lexicographicallyPrecedes(x) ? 1 : 0
    switch sort {
    case .priceAsc, .name: return keyOrder != 0 ? keyOrder : idOrder
    case .priceDesc: return keyOrder != 0 ? -keyOrder : -idOrder
    case .newest: return keyOrder != 0 ? -keyOrder : -idOrder
    }
  }

  private static func nocase(_ text: String) -> [UInt8] {
    Array(text.utf8).map { (65...90).contains($0) ? $0 + 32 : $0 }
  }
}
