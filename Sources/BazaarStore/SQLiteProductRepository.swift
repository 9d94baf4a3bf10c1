package import BazaarCore
internal import GRDB

/// `ProductRepository` over the `products` table and its FTS5 index `products_search`.
package struct SQLiteProductRepository: ProductRepository {
  private let pool: any DatabaseWriter

  package init(_ database: BazaarDatabase) {
    pool = database.writer
  }

  package func insert(_ product: Product) throws {
    try translatingErrors {
      try pool.write { db in try Self.insert(product, in: db) }
    }
  }

  /// Adds many products in one transaction (seeding catalogs for tests and benchmarks).
  package func insert(contentsOf products: some Sequence<Product>) throws {
    try translatingErrors {
      try pool.write { db in
        for product in products { try Self.insert(product, in: db) }
      }
    }
  }

  package func listedProduct(id: ProductID) throws -> Product? {
    try translatingErrors {
      try pool.singleStatementRead { db in
        try Row.fetchOne(
          db,
          sql: """
            SELECT p.* FROM products p JOIN sellers s ON s.id = p.seller_id
            WHERE p.id = ? AND p.deleted_at IS NULL AND s.status = 'active'
            """,
          arguments: [id.rawValue]
        ).map(Self.product)
      }
    }
  }

  package func modify(id: ProductID, _ change: (inout Product) throws -> Void) throws -> Product {
    try translatingErrors {
      try pool.write { db in
        guard
          var product = try Row.fetchOne(
            db, sql: "SELECT * FROM products WHERE id = ? AND deleted_at IS NULL", arguments: [id.rawValue]
          ).map(Self.product)
        else { throw CatalogError.productNotFound }
        try change(&product)
        try db.execute(
          sql: """
            UPDATE products SET name = ?, description = ?, price = ?, stock = ?, image_url = ?, category = ?,
              updated_at = ?, deleted_at = ?
            WHERE id = ?
            """,
          arguments: [
            product.name, product.description, product.price.won, product.stock, product.imageURL, product.category,
            product.updatedAt.milliseconds, product.deletedAt?.milliseconds, id.rawValue,
          ])
        return product
      }
    }
  }

  package func list(_ query: ProductQuery) throws -> [Product] {
    let statement = ProductListing(query)
    return try translatingErrors {
      try pool.singleStatementRead { db in
        try Row.fetchAll(db, sql: statement.sql, arguments: StatementArguments(statement.arguments)).map(Self.product)
      }
    }
  }

  private static func insert(_ product: Product, in db: Database) throws {
    try db.execute(
      sql: """
        INSERT INTO products (id, seller_id, name, description, price, stock, reserved, image_url, category,
          created_at, updated_at, deleted_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        product.id.rawValue, product.sellerID.rawValue, product.name, product.description, product.price.won,
        product.stock, product.reserved, product.imageURL, product.category, product.createdAt.milliseconds,
        product.updatedAt.milliseconds, product.deletedAt?.milliseconds,
      ])
  }

  private static func product(_ row: Row) -> Product {
    Product(
      id: ProductID(rawValue: row["id"]), sellerID: SellerID(rawValue: row["seller_id"]), name: row["name"],
      description: row["description"], price: Money(won: row["price"]), stock: row["stock"],
      reserved: row["reserved"], imageURL: row["image_url"], category: row["category"],
      createdAt: Timestamp(milliseconds: row["created_at"]), updatedAt: Timestamp(milliseconds: row["updated_at"]),
      deletedAt: (row["deleted_at"] as Int64?).map(Timestamp.init(milliseconds:)))
  }
}
