internal import BazaarCore

/// `ProductRepository` over `products` and its text index (`ProductListing`). In a PostgreSQL
/// write (`locksReads`), a product read takes its row lock: the core reads an order's products
/// in product-id order, so two orders lock them in the same order.
struct SQLProductRepository: ProductRepository {
  let sql: any SQLConnection

  func insert(_ product: Product) throws {
    try sql.execute(
      """
      INSERT INTO products (id, seller_id, name, description, price, stock, reserved, image_url, category,
        created_at, updated_at, deleted_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """,
      [
        product.id.rawValue, product.sellerID.rawValue, product.name, product.description, product.price.won,
        product.stock, product.reserved, product.imageURL, product.category, product.createdAt.milliseconds,
        product.updatedAt.milliseconds, product.deletedAt?.milliseconds,
      ])
  }

  func product(id: ProductID) throws -> Product? {
    try sql.queryOne(sql.locksReads ? Self.byIDLocked : Self.byID, [id.rawValue], Self.product)
  }

  func listedProduct(id: ProductID) throws -> Product? {
    try sql.queryOne(sql.locksReads ? Self.listedLocked : Self.listed, [id.rawValue], Self.product)
  }

  func update(_ product: Product) throws {
    try sql.execute(
      """
      UPDATE products SET name = ?, description = ?, price = ?, stock = ?, image_url = ?, category = ?,
        updated_at = ?, deleted_at = ?
      WHERE id = ?
      """,
      [
        product.name, product.description, product.price.won, product.stock, product.imageURL, product.category,
        product.updatedAt.milliseconds, product.deletedAt?.milliseconds, product.id.rawValue,
      ])
  }

  func adjustReserved(of id: ProductID, by delta: Int64) throws -> Bool {
    try sql.execute(
      "UPDATE products SET reserved = reserved + ? WHERE id = ? AND reserved + ? BETWEEN 0 AND stock",
      [delta, id.rawValue, delta]) == 1
  }

  func consumeReserved(of id: ProductID, by quantity: Int64) throws -> Bool {
    try sql.execute(
      "UPDATE products SET stock = stock - ?, reserved = reserved - ? WHERE id = ? AND ? BETWEEN 0 AND reserved",
      [quantity, quantity, id.rawValue, quantity]) == 1
  }

  func list(_ query: ProductQuery) throws -> [Product] {
    let listing = try ProductListing(query, on: sql)
    return try sql.query(listing.sql, listing.arguments, Self.product)
  }

  /// The columns `product(_:)` reads, in its order, for a `products` table named `p`.
  static let columns = """
    p.id, p.seller_id, p.name, p.description, p.price, p.stock, p.reserved, p.image_url, p.category, \
    p.created_at, p.updated_at, p.deleted_at
    """
  private static let byID = "SELECT \(columns) FROM products p WHERE p.id = ? AND p.deleted_at IS NULL"
  private static let byIDLocked = byID + " FOR UPDATE"
  private static let listed = """
    SELECT \(columns) FROM products p JOIN sellers s ON s.id = p.seller_id
    WHERE p.id = ? AND p.deleted_at IS NULL AND s.status = 'active'
    """
  private static let listedLocked = listed + " FOR UPDATE OF p"

  /// A product from a row of `columns`.
  static func product(_ row: any SQLRow) -> Product {
    Product(
      id: ProductID(rawValue: row.text(0)), sellerID: SellerID(rawValue: row.text(1)), name: row.text(2),
      description: row.text(3), price: row.money(4), stock: row.integer(5), reserved: row.integer(6),
      imageURL: row.optionalText(7), category: row.optionalText(8), createdAt: row.timestamp(9),
      updatedAt: row.timestamp(10), deletedAt: row.optionalTimestamp(11))
  }
}
