internal import BazaarCore
internal import BazaarJSON

/// The order functions: buyers place, read, list and cancel their orders; sellers list the
/// orders that hold their products.
enum OrderFunctions {
  static let all: [FunctionDefinition] = [placeOrder, getOrder, listOrders, cancelOrder, listSellerOrders]

  static let placeOrder = FunctionDefinition(
    name: "placeOrder",
    summary:
      "Order variants of products (1–50 lines): the catalog prices them, the stock is reserved; shipping or the profile's.",
    route: Route("POST", "/orders"), auth: .user, successStatus: 201, idempotent: true
  ) { input, context in
    let items = input.objects("items") { line in
      OrderDesk.ItemRequest(
        productID: line.string("productId"), variantID: line.optionalString("variantId"), quantity: line.int("quantity")
      )
    }
    let shipping = input.optionalObject("shipping") { fields in
      OrderShipping(
        recipient: fields.string("recipient"), phone: fields.string("phone"), postalCode: fields.string("postalCode"),
        line1: fields.string("line1"), line2: fields.optionalString("line2"))
    }
    try input.finish()
    let placed = try context.services.orders.place(
      by: try context.requireCaller, OrderDesk.Placement(items: items, shipping: shipping))
    return OrderView(placed)
  }

  static let getOrder = FunctionDefinition(
    name: "getOrder", summary: "Read one of your orders: lines, totals, shipping, status.",
    route: Route("GET", "/orders/{id}"), auth: .user, readsOnly: true
  ) { input, context in
    let id = input.string("id")
    try input.finish()
    let order = try context.services.orders.order(id, of: try context.requireCaller)
    return OrderView(
      order, payment: try context.services.payments.latest(for: [order.id])[order.id],
      shipments: try context.services.shipments.shipments(for: [order.id])[order.id] ?? [])
  }

  static let listOrders = FunctionDefinition(
    name: "listOrders", summary: "Your orders, newest first: optional status, limit (≤ 100), cursor.",
    route: Route(
      "GET", "/orders",
      query: [QueryParameter("status", .string), QueryParameter("limit", .integer), QueryParameter("cursor", .string)]),
    auth: .user, readsOnly: true
  ) { input, context in
    let status = input.optionalString("status")
    let limit = input.optionalInt("limit")
    let cursor = input.optionalString("cursor")
    try input.finish()
    let page = try context.services.orders.list(
      of: try context.requireCaller, status: status, limit: limit, cursor: cursor)
    let payments = try context.services.payments.latest(for: page.items.map(\.id))
    let shipments = try context.services.shipments.shipments(for: page.items.map(\.id))
    return [
      "items": .array(
        page.items.map { OrderView($0, payment: payments[$0.id], shipments: shipments[$0.id] ?? []).json }),
      "nextCursor": page.nextCursor.json,
    ] as JSONValue
  }

  static let cancelOrder = FunctionDefinition(
    name: "cancelOrder",
    summary: "Cancel one of your orders before it ships: an unpaid one at once, a paid one refunded in full.",
    route: Route("POST", "/orders/{id}/cancel"), auth: .user, waitsOnNetwork: true
  ) { input, context in
    let id = input.string("id")
    try input.finish()
    let services = context.services
    let order = try services.payments.cancelOrder(id, by: try context.requireCaller)
    return OrderView(
      order, payment: try services.payments.latest(for: [order.id])[order.id],
      shipments: try services.shipments.shipments(for: [order.id])[order.id] ?? [])
  }

  static let listSellerOrders = FunctionDefinition(
    name: "listSellerOrders",
    summary: "Orders holding your products, newest first: only your lines; the buyer's shipping once paid.",
    route: Route(
      "GET", "/sellers/me/orders",
      query: [QueryParameter("status", .string), QueryParameter("limit", .integer), QueryParameter("cursor", .string)]),
    auth: .seller, readsOnly: true
  ) { input, context in
    let status = input.optionalString("status")
    let limit = input.optionalInt("limit")
    let cursor = input.optionalString("cursor")
    try input.finish()
    let caller = try context.requireCaller
    let page = try context.services.orders.sellerOrders(of: caller, status: status, limit: limit, cursor: cursor)
    let seller = SellerID(rawValue: caller.subject)
    return [
      "items": .array(page.items.map { SellerOrderView(order: $0, seller: seller).json }),
      "nextCursor": page.nextCursor.json,
    ] as JSONValue
  }
}

/// An order as its buyer sees it. Amounts are whole won. `payment` is its latest payment
/// attempt (null before `pay`); `shipments` its shipments, one per seller once it is paid.
struct OrderView: JSONRepresentable {
  var order: Order
  var payment: Payment?
  var shipments: [Shipment]

  init(_ order: Order, payment: Payment? = nil, shipments: [Shipment] = []) {
    self.order = order
    self.payment = payment
    self.shipments = shipments
  }

  var json: JSONValue {
    [
      "id": .string(order.id.rawValue), "userId": .string(order.userID.rawValue),
      "status": .string(order.status.rawValue), "items": .array(order.lines.map { $0.json }),
      "total": .integer(order.total.won), "currency": .string(Money.currency), "shipping": order.shipping.json,
      "createdAt": .string(order.createdAt.rfc3339), "updatedAt": .string(order.updatedAt.rfc3339),
      "expiresAt": .string(order.expiresAt.rfc3339), "paidAt": order.paidAt.rfc3339,
      "canceledAt": order.canceledAt.rfc3339, "expiredAt": order.expiredAt.rfc3339,
      "payment": payment.map {
        [
          "id": .string($0.id.rawValue), "status": .string($0.status.rawValue), "amount": .integer($0.amount.won),
          "sandbox": .bool($0.sandbox),
        ]
      } ?? .null,
      "shipments": .array(shipments.map { ShipmentView(shipment: $0).json }),
    ]
  }
}

/// An order as one seller sees it: only that seller's lines and their total; the buyer's
/// shipping details only once the order was paid (before that the seller has nothing to send).
struct SellerOrderView: JSONRepresentable {
  var order: Order
  var seller: SellerID

  var json: JSONValue {
    let lines = order.lines(of: seller)
    return [
      "id": .string(order.id.rawValue), "status": .string(order.status.rawValue),
      "items": .array(lines.map { $0.json }), "total": .integer(lines.reduce(0) { $0 + $1.lineTotal.won }),
      "currency": .string(Money.currency), "shipping": order.paidAt == nil ? .null : order.shipping.json,
      "createdAt": .string(order.createdAt.rfc3339), "updatedAt": .string(order.updatedAt.rfc3339),
      "paidAt": order.paidAt.rfc3339,
    ]
  }
}

extension OrderLine {
  /// `{productId, variantId, optionValues, sku, name, unitPrice, quantity, lineTotal, sellerId}`.
  var json: JSONValue {
    [
      "productId": .string(productID.rawValue), "variantId": .string(variantID.rawValue),
      "optionValues": choices.json, "sku": sku.json, "name": .string(name), "unitPrice": .integer(unitPrice.won),
      "quantity": .integer(quantity), "lineTotal": .integer(lineTotal.won), "sellerId": .string(sellerID.rawValue),
    ]
  }
}

extension OrderShipping {
  /// `{recipient, phone, postalCode, line1, line2}`.
  var json: JSONValue {
    [
      "recipient": .string(recipient), "phone": .string(phone), "postalCode": .string(postalCode),
      "line1": .string(line1), "line2": line2.json,
    ]
  }
}

extension Timestamp? {
  /// RFC 3339 text, or null.
  var rfc3339: JSONValue { map { .string($0.rfc3339) } ?? .null }
}
