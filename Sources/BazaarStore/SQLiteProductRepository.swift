package import BazaarCore
internal import GRDB

/// `ProductRepository` over the `products` table and its FTS5 index `products_search`.
struct SQLiteProductRepository: ProductRepository {
  let db: Database

  func insert(_ product: Product) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO products (id, seller_id, name, description, price, stock, reserved, image_url, category,
          created_at, updated_at, deleted_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      product.id.rawValue, product.sellerID.rawValue, product.name, product.description, product.price.won,
      product.stock, product.reserved, product.imageURL, product.category, product.createdAt.milliseconds,
      product.updatedAt.milliseconds, product.deletedAt?.milliseconds,
    ])
  }

  func product(id: ProductID) throws -> Product? {
    try Row.fetchOne(
      db.cachedStatement(sql: "SELECT \(Self.columns) FROM products p WHERE p.id = ? AND p.deleted_at IS NULL"),
      arguments: [id.rawValue]
    ).map(Self.product)
  }

  func listedProduct(id: ProductID) throws -> Product? {
    try Row.fetchOne(
      db.cachedStatement(
        sql: """
          SELECT \(Self.columns) FROM products p JOIN sellers s ON s.id = p.seller_id
          WHERE p.id = ? AND p.deleted_at IS NULL AND s.status = 'active'
          """),
      arguments: [id.rawValue]
    ).map(Self.product)
  }

  func update(_ product: Product) throws {
    try db.cachedStatement(
      sql: """
        UPDATE products SET name = ?, description = ?, price = ?, stock = ?, image_url = ?, category = ?,
          updated_at = ?, deleted_at = ?
        WHERE id = ?
        """
    ).execute(arguments: [
      product.name, product.description, product.price.won, product.stock, product.imageURL, product.category,
      product.updatedAt.milliseconds, product.deletedAt?.milliseconds, product.id.rawValue,
    ])
  }

  func adjustReserved(of id: ProductID, by delta: Int64) throws -> Bool {
    try db.cachedStatement(
      sql: "UPDATE products SET reserved = reserved + ? WHERE id = ? AND reserved + ? BETWEEN 0 AND stock"
    ).execute(arguments: [delta, id.rawValue, delta])
    return db.changesCount == 1
  }

  func consumeReserved(of id: ProductID, by quantity: Int64) throws -> Bool {
    try db.cachedStatement(
      sql: """
        UPDATE products SET stock = stock - ?, reserved = reserved - ? WHERE id = ? AND ? BETWEEN 0 AND reserved
        """
    ).execute(arguments: [quantity, quantity, id.rawValue, quantity])
    return db.changesCount == 1
  }

  func list(_ query: ProductQuery) throws -> [Product] {
    let statement = ProductListing(query, walkSortIndex: try shouldWalkSortIndex(query))
    return try Row.fetchAll(db.cachedStatement(sql: statement.sql), arguments: StatementArguments(statement.arguments))
      .map(Self.product)
  }

  /// Whether a text search matches so many products that walking the sort index beats
  /// fetching every match (see `ProductListing`). A seller or category filter has its own
  /// index, which SQLite picks by itself; counting stops at the threshold, so it stays cheap.
  private func shouldWalkSortIndex(_ query: ProductQuery) throws -> Bool {
    guard let text = query.filter.text, query.filter.sellerID == nil, query.filter.category == nil else {
      return false
    }
    let matches =
      try Int.fetchOne(
        db.cachedStatement(
          sql: "SELECT count(*) FROM (SELECT 1 FROM products_search WHERE products_search MATCH ? LIMIT ?)"),
        arguments: [ProductListing.matchExpression(text), ProductListing.walkThreshold + 1]) ?? 0
    return matches > ProductListing.walkThreshold
  }

  /// The columns `product(_:)` reads, in its order, for a `products` table named `p`.
  static let columns = """
    p.id, p.seller_id, p.name, p.description, p.price, p.stock, p.reserved, p.image_url, p.category, \
    p.created_at, p.updated_at, p.deleted_at
    """

  /// A product from a row of `columns`, read by position: a lookup by name compares every
  /// column's name case-insensitively, twelve times a row.
  static func product(_ row: Row) -> Product {
    Product(
      id: ProductID(rawValue: row[0]), sellerID: SellerID(rawValue: row[1]), name: row[2], description: row[3],
      price: Money(won: row[4]), stock: row[5], reserved: row[6], imageURL: row[7], category: row[8],
      createdAt: Timestamp(milliseconds: row[9]), updatedAt: Timestamp(milliseconds: row[10]),
      deletedAt: (row[11] as Int64?).map(Timestamp.init(milliseconds:)))
  }
}

extension SQLiteStore {
  /// How many products (live or not) `text` matches: for calibrating benchmarks.
  package func countMatches(_ text: SearchText) throws -> Int {
    try translatingErrors {
      try database.writer.singleStatementRead { db in
        try Int.fetchOne(
          db.cachedStatement(sql: "SELECT count(*) FROM products_search WHERE products_search MATCH ?"),
          arguments: [ProductListing.matchExpression(text)]) ?? 0
      }
    }
  }
}
