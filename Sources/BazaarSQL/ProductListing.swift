package import BazaarCore

/// The one SELECT that answers a `ProductQuery` (the variants of its products come next, in
/// `SQLProductRepository.list`): live products of active sellers, the filters
/// as bound parameters, keyset paging after the cursor's position, and an ORDER BY that an
/// index of `products` serves. Every caller value is a parameter; only fixed SQL fragments
/// chosen by the sort and the dialect are spliced in.
///
/// Text search is where the databases differ: SQLite matches an FTS5 table (`products_search`,
/// word prefixes, diacritics removed), PostgreSQL a generated `tsvector` column with a GIN
/// index (`'term':*` prefixes in the `bazaar_search` configuration). Names sort with ASCII case
/// ignored: `COLLATE NOCASE` in SQLite, `lower(name)` in byte order in PostgreSQL.
///
/// On SQLite a text search has two plans, and SQLite cannot tell which is cheaper because it
/// does not know how many products the words match. With few matches, fetching each match and
/// sorting them is fastest; with many, walking the sort order's index and keeping the rows
/// that match stops after about `limit × catalog / matches` entries. Above `walkThreshold`
/// matches (counted, stopping at the threshold) the listing walks the index.
package struct ProductListing {
  private(set) var sql = ""
  private(set) var arguments: SQLArguments = []

  /// Above this many text matches SQLite walks the sort index: measured on 100,000 products,
  /// the two plans break even between 150 and 300 matches.
  static let walkThreshold = 300

  init(_ query: ProductQuery, on connection: any SQLConnection) throws {
    let dialect = connection.dialect
    var conditions = ["p.deleted_at IS NULL", "s.status = 'active'"]
    let filter = query.filter
    if let text = filter.text {
      switch dialect {
      case .sqlite:
        conditions.append("p.seq IN (SELECT rowid FROM products_search WHERE products_search MATCH ?)")
        arguments.append(Self.matchExpression(text))
      case .postgres:
        conditions.append("p.search @@ to_tsquery('bazaar_search', ?)")
        arguments.append(Self.tsquery(text))
      }
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
    if filter.inStock {
      conditions.append(
        """
        EXISTS (SELECT 1 FROM product_variants v
          WHERE v.product_id = p.id AND v.deleted_at IS NULL AND v.reserved < v.stock)
        """)
    }
    let ordering = Self.ordering(query.sort, dialect)
    if let position = query.after {
      conditions.append("(\(ordering.key), p.id) \(ordering.after) (\(ordering.bound), ?)")
      switch position.key {
      case .integer(let value): arguments.append(value)
      case .text(let text): arguments.append(text)
      }
      arguments.append(position.id.rawValue)
    }
    var index = ""
    if dialect == .sqlite, try Self.shouldWalkSortIndex(query.filter, connection) {
      index = "INDEXED BY \(ordering.index) "
    }
    sql = """
      SELECT \(SQLProductRepository.columns) FROM products p \(index)JOIN sellers s ON s.id = p.seller_id
      WHERE \(conditions.joined(separator: " AND "))
      ORDER BY \(ordering.order)
      LIMIT ?
      """
    arguments.append(query.limit)
  }

  /// Whether a text search matches so many products that walking the sort index beats
  /// fetching every match. A seller or category filter has its own index, which SQLite picks
  /// by itself; counting stops at the threshold, so it stays cheap.
  private static func shouldWalkSortIndex(_ filter: ProductFilter, _ connection: any SQLConnection) throws -> Bool {
    guard let text = filter.text, filter.sellerID == nil, filter.category == nil else { return false }
    let matches = try connection.integer(
      "SELECT count(*) FROM (SELECT 1 FROM products_search WHERE products_search MATCH ? LIMIT ?)",
      [matchExpression(text), walkThreshold + 1])
    return matches > walkThreshold
  }

  /// The sort key expression, the ORDER BY clause, the keyset comparison, how a cursor's key
  /// is bound, and the SQLite index that serves the order.
  private static func ordering(
    _ sort: ProductSort, _ dialect: SQLDialect
  ) -> (key: String, order: String, after: String, bound: String, index: String) {
    switch (sort, dialect) {
    case (.newest, _): ("p.created_at", "p.created_at DESC, p.id DESC", "<", "?", "products_newest")
    case (.priceAsc, _): ("p.price", "p.price, p.id", ">", "?", "products_by_price")
    case (.priceDesc, _): ("p.price", "p.price DESC, p.id DESC", "<", "?", "products_by_price")
    case (.name, .sqlite): ("p.name COLLATE NOCASE", "p.name COLLATE NOCASE, p.id", ">", "?", "products_by_name")
    case (.name, .postgres):
      ("lower(p.name)", "lower(p.name), p.id", ">", "lower(CAST(? AS text) COLLATE \"C\")", "products_by_name")
    }
  }

  /// How many products (live or not) `text` matches in SQLite's FTS5 index: for calibrating
  /// benchmarks.
  package static func countMatches(_ text: SearchText, on connection: any SQLConnection) throws -> Int {
    Int(
      try connection.integer(
        "SELECT count(*) FROM products_search WHERE products_search MATCH ?", [matchExpression(text)]))
  }

  /// An FTS5 expression in which each term is a quoted string with a prefix star: implicit
  /// AND of word prefixes, and no character of the caller's text is FTS5 syntax.
  static func matchExpression(_ text: SearchText) -> String {
    text.terms.map { "\"" + $0.replacing("\"", with: "\"\"") + "\"*" }.joined(separator: " ")
  }

  /// A tsquery in which every term is a quoted lexeme matched by prefix (`'term':*`), joined
  /// with AND: no character of the caller's text is tsquery syntax.
  static func tsquery(_ text: SearchText) -> String {
    text.terms.map { "'" + $0.replacing("\\", with: "\\\\").replacing("'", with: "''") + "':*" }
      .joined(separator: " & ")
  }
}
