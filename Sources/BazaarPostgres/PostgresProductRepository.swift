internal import BazaarCore

/// `ProductRepository` over `products`, searched through its `search` column (a `tsvector`
/// with a GIN index). In a write (`locksReads`), a product read takes its row lock: the core
/// reads an order's products in product-id order, so they are locked in that order.
struct PostgresProductRepository: ProductRepository {
  let connection: PostgresConnection
  let locksReads: Bool

  func insert(_ product: Product) throws {
    try connection.query(
      """
      INSERT INTO products (id, seller_id, name, description, price, stock, reserved, image_url, category,
        created_at, updated_at, deleted_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      """,
      [
        product.id.rawValue, product.sellerID.rawValue, product.name, product.description, product.price.won,
        product.stock, product.reserved, product.imageURL, product.category, product.createdAt.milliseconds,
        product.updatedAt.milliseconds, product.deletedAt?.milliseconds,
      ])
  }

  func product(id: ProductID) throws -> Product? {
    let rows = try connection.query(
      "SELECT \(Self.columns) FROM products p WHERE p.id = $1 AND p.deleted_at IS NULL\(lock)", [id.rawValue])
    return rows.count == 1 ? Self.product(rows[0]) : nil
  }

  func listedProduct(id: ProductID) throws -> Product? {
    let rows = try connection.query(
      """
      SELECT \(Self.columns) FROM products p JOIN sellers s ON s.id = p.seller_id
      WHERE p.id = $1 AND p.deleted_at IS NULL AND s.status = 'active'\(locksReads ? " FOR UPDATE OF p" : "")
      """, [id.rawValue])
    return rows.count == 1 ? Self.product(rows[0]) : nil
  }

  func update(_ product: Product) throws {
    try connection.query(
      """
      UPDATE products SET name = $1, description = $2, price = $3, stock = $4, image_url = $5, category = $6,
        updated_at = $7, deleted_at = $8
      WHERE id = $9
      """,
      [
        product.name, product.description, product.price.won, product.stock, product.imageURL, product.category,
        product.updatedAt.milliseconds, product.deletedAt?.milliseconds, product.id.rawValue,
      ])
  }

  func adjustReserved(of id: ProductID, by delta: Int64) throws -> Bool {
    try connection.query(
      "UPDATE products SET reserved = reserved + $1 WHERE id = $2 AND reserved + $1 BETWEEN 0 AND stock",
      [delta, id.rawValue]
    ).affected == 1
  }

  func consumeReserved(of id: ProductID, by quantity: Int64) throws -> Bool {
    try connection.query(
      "UPDATE products SET stock = stock - $1, reserved = reserved - $1 WHERE id = $2 AND $1 BETWEEN 0 AND reserved",
      [quantity, id.rawValue]
    ).affected == 1
  }

  func list(_ query: ProductQuery) throws -> [Product] {
    let listing = PostgresProductListing(query)
    return try connection.query(listing.sql, listing.arguments).all.map(Self.product)
  }

  private var lock: String { locksReads ? " FOR UPDATE" : "" }

  /// The columns `product(_:)` reads, in its order, for a `products` table named `p`.
  static let columns = """
    p.id, p.seller_id, p.name, p.description, p.price, p.stock, p.reserved, p.image_url, p.category, \
    p.created_at, p.updated_at, p.deleted_at
    """

  static func product(_ row: PostgresRow) -> Product {
    Product(
      id: ProductID(rawValue: row.string(0)), sellerID: SellerID(rawValue: row.string(1)), name: row.string(2),
      description: row.string(3), price: Money(won: row.int64(4)), stock: row.int64(5), reserved: row.int64(6),
      imageURL: row.optionalString(7), category: row.optionalString(8),
      createdAt: Timestamp(milliseconds: row.int64(9)), updatedAt: Timestamp(milliseconds: row.int64(10)),
      deletedAt: row.optionalInt64(11).map(Timestamp.init(milliseconds:)))
  }
}

/// The one SELECT that answers a `ProductQuery` (as `ProductListing` does on SQLite): live
/// products of active sellers, every caller value a parameter, keyset paging after the
/// cursor's position, an ORDER BY an index serves. Names sort by `lower(name)` in byte order,
/// as SQLite's NOCASE does.
struct PostgresProductListing {
  private(set) var sql = ""
  private(set) var arguments: [(any PostgresBindable)?] = []

  init(_ query: ProductQuery) {
    var conditions = ["p.deleted_at IS NULL", "s.status = 'active'"]
    let filter = query.filter
    if let text = filter.text {
      conditions.append("p.search @@ to_tsquery('bazaar_search', \(next(Self.tsquery(text))))")
    }
    if let low = filter.minPrice { conditions.append("p.price >= \(next(low))") }
    if let high = filter.maxPrice { conditions.append("p.price <= \(next(high))") }
    if let seller = filter.sellerID { conditions.append("p.seller_id = \(next(seller.rawValue))") }
    if let category = filter.category { conditions.append("p.category = \(next(category))") }
    let (key, order, after, parameterKey) = Self.ordering(query.sort)
    if let position = query.after {
      let value: any PostgresBindable =
        switch position.key {
        case .integer(let value): value
        case .text(let text): text
        }
      let keyParameter = parameterKey.replacingOccurrences(of: "?", with: next(value))
      conditions.append("(\(key), p.id) \(after) (\(keyParameter), \(next(position.id.rawValue)))")
    }
    sql = """
      SELECT \(PostgresProductRepository.columns) FROM products p JOIN sellers s ON s.id = p.seller_id
      WHERE \(conditions.joined(separator: " AND "))
      ORDER BY \(order)
      LIMIT \(next(query.limit))
      """
  }

  /// Adds `value` as the next parameter and returns its placeholder.
  private mutating func next(_ value: any PostgresBindable) -> String {
    arguments.append(value)
    return "$\(arguments.count)::\(value is String ? "text" : "bigint")"
  }

  /// The sort key, the ORDER BY clause, the keyset comparison and how a cursor's key is bound.
  private static func ordering(_ sort: ProductSort) -> (key: String, order: String, after: String, bound: String) {
    switch sort {
    case .newest: ("p.created_at", "p.created_at DESC, p.id DESC", "<", "?")
    case .priceAsc: ("p.price", "p.price, p.id", ">", "?")
    case .priceDesc: ("p.price", "p.price DESC, p.id DESC", "<", "?")
    case .name: ("lower(p.name)", "lower(p.name), p.id", ">", "lower(? COLLATE \"C\")")
    }
  }

  /// A tsquery in which every term is a quoted lexeme matched by prefix (`'term':*`), joined
  /// with AND: no character of the caller's text is tsquery syntax.
  static func tsquery(_ text: SearchText) -> String {
    text.terms.map { term in
      "'" + term.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "':*"
    }.joined(separator: " & ")
  }
}

extension String {
  /// The string with every `target` replaced by `replacement` (no Foundation in this target).
  fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
