internal import BazaarCore
internal import GRDB

/// The one SELECT that answers a `ProductQuery`: live products of active sellers, the filters
/// as bound parameters, keyset paging after the cursor's position, and an ORDER BY that an
/// index of the `products` table serves. Every caller value is a parameter; only fixed SQL
/// fragments chosen by the sort are spliced in.
///
/// A text search has two plans, and SQLite cannot tell which is cheaper because it does not
/// know how many products the words match. With few matches, fetching each match and sorting
/// them is fastest; with many, walking the sort order's index and keeping the rows that
/// match stops after about `limit × catalog / matches` entries. `walkSortIndex` picks the
/// second (see `SQLiteProductRepository.list`).
struct ProductListing {
  private(set) var sql: String
  private(set) var arguments: [(any DatabaseValueConvertible)?] = []

  /// Above this many text matches the sort index is walked: measured on 100,000 products,
  /// the two plans break even between 150 and 300 matches.
  static let walkThreshold = 300

  init(_ query: ProductQuery, walkSortIndex: Bool = false) {
    var conditions = ["p.deleted_at IS NULL", "s.status = 'active'"]
    let filter = query.filter
    if let text = filter.text {
      conditions.append("p.seq IN (SELECT rowid FROM products_search WHERE products_search MATCH ?)")
      arguments.append(Self.matchExpression(text))
    }
    if let low = filter.minPrice {
      conditions.append("p.price >= ?")
      arguments.append(low)
    }
    if let high = filter.maxPrice {
      conditions.append("p.price <= ?")
      arguments.append(high)
    }
    if let seller = filter.sellerID {
      conditions.append("p.seller_id = ?")
      arguments.append(seller.rawValue)
    }
    if let category = filter.category {
      conditions.append("p.category = ?")
      arguments.append(category)
    }
    let (keyColumn, order, after, index) = Self.ordering(query.sort)
    if let position = query.after {
      conditions.append("(\(keyColumn), p.id) \(after) (?, ?)")
      switch position.key {
      case .integer(let value): arguments.append(value)
      case .text(let text): arguments.append(text)
      }
      arguments.append(position.id.rawValue)
    }
    sql = """
      SELECT \(SQLiteProductRepository.columns) FROM products p \(walkSortIndex ? "INDEXED BY \(index) " : "")JOIN sellers s ON s.id = p.seller_id
      WHERE \(conditions.joined(separator: " AND "))
      ORDER BY \(order)
      LIMIT ?
      """
    arguments.append(query.limit)
  }

  /// The sort key expression, the ORDER BY clause, the keyset comparison and the index that
  /// serves the order, for `sort`.
  private static func ordering(_ sort: ProductSort) -> (key: String, order: String, after: String, index: String) {
    switch sort {
    case .newest: ("p.created_at", "p.created_at DESC, p.id DESC", "<", "products_newest")
    case .priceAsc: ("p.price", "p.price, p.id", ">", "products_by_price")
    case .priceDesc: ("p.price", "p.price DESC, p.id DESC", "<", "products_by_price")
    case .name: ("p.name COLLATE NOCASE", "p.name COLLATE NOCASE, p.id", ">", "products_by_name")
    }
  }

  /// An FTS5 expression in which each term is a quoted string with a prefix star: implicit
  /// AND of word prefixes, and no character of the caller's text is FTS5 syntax.
  static func matchExpression(_ text: SearchText) -> String {
    text.terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }.joined(separator: " ")
  }
}

extension String {
  /// The string with every `target` replaced by `replacement` (no Foundation in this target).
  fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
