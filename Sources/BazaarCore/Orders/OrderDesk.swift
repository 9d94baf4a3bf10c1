package import BazaarJSON

/// The order use cases: a buyer places, reads, lists and cancels its orders; sellers list the
/// orders that hold their products; unpaid orders expire.
///
/// Prices and totals come from the catalog inside the placing transaction, never from the
/// client. Every line is checked and reserved in that one transaction, or none is. Every
/// change writes its events to the outbox in the same transaction.
package struct OrderDesk: Sendable {
  package var store: any Store
  package var ids: any IDGenerator
  package var clock: any Clock
  /// Seconds an unpaid order lives (`BAZAAR_ORDER_TTL`).
  package var orderLifetime: Int64

  package init(store: any Store, ids: any IDGenerator, clock: any Clock, orderLifetime: Int64) {
    self.store = store
    self.ids = ids
    self.clock = clock
    self.orderLifetime = orderLifetime
  }

  /// Order limits: lines per order, units per line.
  package static let maxLines = 50
  package static let quantityRange: ClosedRange<Int64> = 1...999

  /// One line as the buyer sent it: a product, and which of its variants (left out for a
  /// product without options).
  package struct ItemRequest: Sendable {
    package var productID: String
    package var variantID: String?
    package var quantity: Int64

    package init(productID: String, variantID: String? = nil, quantity: Int64) {
      self.productID = productID
      self.variantID = variantID
      self.quantity = quantity
    }
  }

  /// A line checked for shape, its variant not yet looked up.
  struct Item {
    var index: Int
    var productID: ProductID
    var variantID: VariantID?
    var quantity: Int64
  }

  /// A placement as the buyer sent it (`shipping` not validated yet).
  package struct Placement: Sendable {
    package var items: [ItemRequest]
    package var shipping: OrderShipping?

    package init(items: [ItemRequest], shipping: OrderShipping?) {
      self.items = items
      self.shipping = shipping
    }
  }

  /// Places an order for the caller: the lines priced by the catalog and reserved, the order
  /// and its `order.placed` event, in one transaction.
  package func place(by caller: AccessClaims, _ placement: Placement) throws -> Order {
    let (items, shipping) = try Self.validate(placement)
    let user = UserID(rawValue: caller.subject)
    let now = clock.now()
    return try store.write { tx in
      guard let account = try tx.users.user(id: user) else { throw AccountError.userNotFound }
      try account.status.requireActive()
      let destination = try shipping ?? Self.profileShipping(account)
      let lines = try Self.reserve(items, in: tx)
      var total: Int64 = 0
      for line in lines {
        let (sum, overflow) = total.addingReportingOverflow(line.lineTotal.won)
        guard !overflow else { throw OrderError.totalTooLarge }
        total = sum
      }
      let order = Order(
        id: OrderID(from: ids), userID: user, status: .pendingPayment, lines: lines, total: Money(won: total),
        shipping: destination, createdAt: now, updatedAt: now, expiresAt: now.adding(seconds: orderLifetime))
      try tx.orders.insert(order)
      try tx.outbox.append(OrderEvents.event("order.placed", order, ids: ids, at: now))
      return order
    }
  }

  /// One of the caller's orders; another user's is `orderNotFound`, as an unknown one is.
  package func order(_ rawID: String, of caller: AccessClaims) throws -> Order {
    guard let id = OrderID(checking: rawID),
      let order = try store.read({ try $0.orders.order(id: id) }), order.userID.rawValue == caller.subject
    else { throw OrderError.orderNotFound }
    return order
  }

  /// A page of the caller's orders, newest first.
  package func list(of caller: AccessClaims, status: String?, limit: Int64?, cursor: String?) throws -> OrderPage {
    let query = try Self.pageQuery(scope: "user", status: status, limit: limit, cursor: cursor)
    let user = UserID(rawValue: caller.subject)
    let orders = try store.read {
      try $0.orders.orders(of: user, status: query.status, after: query.after, limit: query.limit + 1)
    }
    return Self.page(orders, query)
  }

  /// A page of the orders holding the calling seller's products, newest first.
  package func sellerOrders(
    of caller: AccessClaims, status: String?, limit: Int64?, cursor: String?
  ) throws
    -> OrderPage
  {
    let query = try Self.pageQuery(scope: "seller", status: status, limit: limit, cursor: cursor)
    let seller = SellerID(rawValue: caller.subject)
    let orders = try store.read { tx in
      guard let account = try tx.sellers.seller(id: seller) else { throw AccountError.sellerNotFound }
      try account.status.requireActive()
      return try tx.orders.orders(holding: seller, status: query.status, after: query.after, limit: query.limit + 1)
    }
    return Self.page(orders, query)
  }

  /// Cancels one of the caller's unpaid orders and releases its stock. A payment attempt still
  /// `ready` is canceled with it (its callback is refused from then on); one being approved
  /// right now makes this `PaymentError.inProgress`. A paid order is refunded by
  /// `PaymentDesk.cancelOrder`; both cancel an unpaid one with `cancelUnpaid`.
  package func cancel(_ rawID: String, by caller: AccessClaims) throws -> Order {
    guard let id = OrderID(checking: rawID) else { throw OrderError.orderNotFound }
    let now = clock.now()
    return try store.write { tx in
      guard let order = try tx.orders.order(id: id), order.userID.rawValue == caller.subject else {
        throw OrderError.orderNotFound
      }
      return try tx.cancelUnpaid(order, at: now, ids: ids)
    }
  }

  /// Expires every unpaid order whose `expiresAt` has passed, in batches of `batch` per
  /// transaction; returns how many it expired. Safe beside placements, cancels and another
  /// expirer: each order is re-read in its transaction, so a status change wins exactly once.
  package func expireDue(batch: Int = 100) throws -> Int {
    var expired = 0
    while true {
      let now = clock.now()
      let done = try store.write { tx in
        let due = try tx.orders.dueForExpiry(at: now, limit: batch)
        var count = 0
        for id in due {
          guard let order = try tx.orders.order(id: id), order.status == .pendingPayment, order.expiresAt <= now,
            try tx.payments.latest(for: id)?.status != .approving
          else { continue }
          _ = try tx.apply(.expire, to: order, at: now, ids: ids)
          count += 1
        }
        return (count, due.count)
      }
      expired += done.0
      if done.1 < batch { return expired }
    }
  }

  /// Applies a transition inside `tx`: the new status, the stock released when the order
  /// stops holding it (exactly once, since the status changes in the same transaction), and
  /// the events.
  // MARK: - Placement rules

  /// Checks the shape of every line and the shipping details, all at once.
  private static func validate(_ placement: Placement) throws -> ([Item], OrderShipping?) {
    var errors = FieldErrors()
    if !(1...maxLines).contains(placement.items.count) {
      errors.append(
        FieldError(field: "items", code: "out_of_range", message: "items must hold 1 to \(maxLines) lines"))
    }
    var seen: Set<String> = []
    var items: [Item] = []
    for (index, item) in placement.items.enumerated() {
      let field = "items[\(index)]"
      let id = ProductID(checking: item.productID)
      let variant = item.variantID.flatMap(VariantID.init(checking:))
      if id == nil {
        errors.append(
          FieldError(field: "\(field).productId", code: "invalid", message: "\(field).productId must be a product id"))
      } else if item.variantID != nil && variant == nil {
        errors.append(
          FieldError(field: "\(field).variantId", code: "invalid", message: "\(field).variantId must be a variant id"))
      } else if !seen.insert(item.variantID ?? item.productID).inserted {
        errors.append(Self.repeated(field, variant: item.variantID != nil))
      }
      if !quantityRange.contains(item.quantity) {
        errors.append(
          FieldError(
            field: "\(field).quantity", code: "out_of_range",
            message: "\(field).quantity must be from \(quantityRange.lowerBound) to \(quantityRange.upperBound)"))
      }
      if let id { items.append(Item(index: index, productID: id, variantID: variant, quantity: item.quantity)) }
    }
    var shipping: OrderShipping?
    if let request = placement.shipping {
      do {
        shipping = try Self.shipping(request)
      } catch let failure as ValidationFailure {
        for error in failure.errors { errors.append(error) }
      }
    }
    try errors.throwIfAny()
    return (items, shipping)
  }

  private static func shipping(_ request: OrderShipping) throws -> OrderShipping {
    var errors = FieldErrors()
    var address: ShippingAddress?
    do {
      address = try ShippingAddress(
        recipient: request.recipient, postalCode: request.postalCode, line1: request.line1, line2: request.line2,
        field: "shipping")
    } catch let failure as ValidationFailure {
      for error in failure.errors { errors.append(error) }
    }
    let phone = errors.collect { try PhoneNumber.check(request.phone, field: "shipping.phone") }
    try errors.throwIfAny()
    return OrderShipping(
      recipient: address!.recipient, phone: phone!, postalCode: address!.postalCode, line1: address!.line1,
      line2: address!.line2)
  }

  /// The profile's address and phone, for a placement that gave no shipping; a 422 naming
  /// what the profile lacks otherwise.
  private static func profileShipping(_ user: User) throws -> OrderShipping {
    var errors = FieldErrors()
    if user.shippingAddress == nil {
      errors.append(
        FieldError(
          field: "shipping", code: "required",
          message: "give shipping, or save a shippingAddress in the profile (updateProfile)"))
    }
    if user.phone == nil {
      errors.append(
        FieldError(
          field: "shipping.phone", code: "required",
          message: "give shipping with a phone, or save a phone in the profile (updateProfile)"))
    }
    try errors.throwIfAny()
    let address = user.shippingAddress!
    return OrderShipping(
      recipient: address.recipient, phone: user.phone!, postalCode: address.postalCode, line1: address.line1,
      line2: address.line2)
  }

  /// Checks every line against the catalog and reserves them all, in product-id order (so two
  /// stores that lock rows never wait on each other in a cycle); throws with every short or
  /// unavailable line, having reserved nothing the caller's transaction would keep.
  private static func reserve(_ items: [Item], in tx: any StoreTransaction) throws -> [OrderLine] {
    var lines: [Int: OrderLine] = [:]
    var unavailable: [OrderError.Shortfall] = []
    var short: [OrderError.Shortfall] = []
    var errors = FieldErrors()
    var reservedVariants: Set<VariantID> = []
    let byProduct = items.sorted { ($0.productID.rawValue, $0.index) < ($1.productID.rawValue, $1.index) }
    var product: Product?
    for item in byProduct {
      if product?.id != item.productID { product = try tx.products.listedProduct(id: item.productID) }
      guard let product, let variant = item.variantID.map({ product.variant($0) }) ?? product.madeVariant else {
        if product != nil && item.variantID == nil {
          errors.append(Self.variantRequired(item.index))
        } else {
          unavailable.append(.init(item, available: 0))
        }
        continue
      }
      // One line per variant: the product's one variant named a second time, by its id.
      guard reservedVariants.insert(variant.id).inserted else {
        errors.append(Self.repeated("items[\(item.index)]", variant: true))
        continue
      }
      guard variant.available >= item.quantity, try tx.products.adjustReserved(of: variant.id, by: item.quantity)
      else {
        short.append(.init(item, available: max(0, variant.available)))
        continue
      }
      lines[item.index] = OrderLine(
        productID: product.id, variantID: variant.id, sellerID: product.sellerID, name: product.name,
        choices: product.choices(of: variant), sku: variant.sku, unitPrice: variant.price, quantity: item.quantity)
    }
    // The transaction rolls back on any error, taking the reservations made so far with it.
    try errors.throwIfAny()
    if !unavailable.isEmpty { throw OrderError.productUnavailable(unavailable.sorted { $0.line < $1.line }) }
    if !short.isEmpty { throw OrderError.outOfStock(short.sorted { $0.line < $1.line }) }
    return items.map { lines[$0.index]! }
  }

  private static func repeated(_ field: String, variant: Bool) -> FieldError {
    variant
      ? FieldError(
        field: "\(field).variantId", code: "repeated",
        message: "\(field).variantId repeats a variant; order it once with the total quantity")
      : FieldError(
        field: "\(field).productId", code: "repeated",
        message: "\(field).productId repeats a product; order it once with the total quantity")
  }

  private static func variantRequired(_ index: Int) -> FieldError {
    FieldError(
      field: "items[\(index)].variantId", code: "variant_required",
      message: "items[\(index)].variantId is required: the product has options, so say which variant")
  }

  // MARK: - Listing

  private struct PageQuery {
    var scope: String
    var status: OrderStatus?
    var limit: Int
    var after: OrderPosition?
  }

  private static func pageQuery(scope: String, status: String?, limit: Int64?, cursor: String?) throws -> PageQuery {
    var errors = FieldErrors()
    let parsedStatus = errors.collect { () throws(FieldError) -> OrderStatus? in try StatusFilter.check(status) }
    let parsedLimit = errors.collect { try PageLimit.check(limit) }
    try errors.throwIfAny()
    var after: OrderPosition?
    if let cursor {
      guard let parsed = OrderCursor(encoded: cursor) else {
        throw FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this listing returned")
      }
      guard parsed.scope == scope, parsed.status == parsedStatus! else {
        throw FieldError(
          field: "cursor", code: "mismatch", message: "cursor belongs to another listing; repeat its status filter")
      }
      after = parsed.position
    }
    return PageQuery(scope: scope, status: parsedStatus!, limit: parsedLimit!, after: after)
  }

  private static func page(_ found: [Order], _ query: PageQuery) -> OrderPage {
    guard found.count > query.limit else { return OrderPage(items: found, nextCursor: nil) }
    let items = Array(found.prefix(query.limit))
    let cursor = OrderCursor(scope: query.scope, status: query.status, position: OrderPosition(of: items.last!))
    return OrderPage(items: items, nextCursor: cursor.encoded)
  }
}

/// One page of orders and the cursor of the next (nil at the end).
package struct OrderPage: Sendable {
  package var items: [Order]
  package var nextCursor: String?

  package init(items: [Order], nextCursor: String?) {
    self.items = items
    self.nextCursor = nextCursor
  }
}

/// The store holds data that breaks a rule the core keeps (a reservation released twice, say):
/// a bug, reported as a 500 and rolled back, never papered over.
package struct StoreInvariantBroken: Error, CustomStringConvertible {
  package var description: String

  package init(_ description: String) {
    self.description = description
  }
}
