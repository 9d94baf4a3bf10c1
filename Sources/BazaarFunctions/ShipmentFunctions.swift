package import BazaarCore
package import BazaarJSON

/// The shipment functions: sellers ship and deliver their shipments and list them; the buyer
/// and the seller concerned read one; sellers choose how their shipments leave.
package enum ShipmentFunctions {
  static let all: [FunctionDefinition] = [ship, deliver, getShipment, listShipments, updateSellerSettings]

  /// The longest carrier name and tracking number accepted.
  static let maxCarrier = 50
  static let maxTracking = 100

  static let ship = FunctionDefinition(
    name: "ship",
    summary: "Send one of your ready shipments: your carrier and tracking number, or the built-in carrier's.",
    route: Route("POST", "/shipments/{id}/ship"), auth: .seller
  ) { input, context in
    let id = input.string("id")
    let carrier = input.optionalString("carrier")
    let tracking = input.optionalString("trackingNumber")
    try input.finish()
    let booking = try Self.booking(carrier: carrier, trackingNumber: tracking)
    guard let shipmentID = ShipmentID(checking: id) else { throw ShipmentError.shipmentNotFound }
    let seller = SellerID(rawValue: try context.requireCaller.subject)
    let services = context.services
    return ShipmentView(
      shipment: try services.shipments.dispatch(
        shipmentID, by: .seller(seller), booking: booking, carrier: services.carrier))
  }

  static let deliver = FunctionDefinition(
    name: "deliver", summary: "Mark one of your started shipments delivered; the order is delivered with its last.",
    route: Route("POST", "/shipments/{id}/deliver"), auth: .seller
  ) { input, context in
    let id = input.string("id")
    try input.finish()
    guard let shipmentID = ShipmentID(checking: id) else { throw ShipmentError.shipmentNotFound }
    let seller = SellerID(rawValue: try context.requireCaller.subject)
    return ShipmentView(shipment: try context.services.shipments.deliver(shipmentID, by: .seller(seller)))
  }

  static let getShipment = FunctionDefinition(
    name: "getShipment", summary: "One shipment: its buyer or its seller may read it (status, carrier, tracking).",
    route: Route("GET", "/shipments/{id}"), auth: .userOrSeller, readsOnly: true
  ) { input, context in
    let id = input.string("id")
    try input.finish()
    return ShipmentView(shipment: try context.services.shipments.shipment(id, for: try context.requireCaller))
  }

  static let listShipments = FunctionDefinition(
    name: "listShipments", summary: "Your shipments, newest first: optional status, limit (≤ 100), cursor.",
    route: Route(
      "GET", "/sellers/me/shipments",
      query: [QueryParameter("status", .string), QueryParameter("limit", .integer), QueryParameter("cursor", .string)]),
    auth: .seller, readsOnly: true
  ) { input, context in
    let status = input.optionalString("status")
    let limit = input.optionalInt("limit")
    let cursor = input.optionalString("cursor")
    try input.finish()
    let page = try context.services.shipments.list(
      of: try context.requireCaller, status: status, limit: limit, cursor: cursor)
    return [
      "items": .array(page.items.map { ShipmentView(shipment: $0).json }), "nextCursor": page.nextCursor.json,
    ] as JSONValue
  }

  static let updateSellerSettings = FunctionDefinition(
    name: "updateSellerSettings",
    summary: "Choose how your shipments leave once paid: fulfillment auto (built-in carrier) or manual (you ship).",
    route: Route("PATCH", "/sellers/me"), auth: .seller
  ) { input, context in
    let fulfillment = input.optionalString("fulfillment")
    try input.finish()
    return SellerView(
      try context.services.sellers.updateSettings(of: try context.requireCaller, fulfillment: fulfillment))
  }

  /// The seller's own carrier and tracking number (both, or neither for the built-in carrier).
  package static func booking(
    carrier: String?, trackingNumber: String?
  ) throws -> (
    carrier: String, trackingNumber: String
  )? {
    switch (carrier, trackingNumber) {
    case (nil, nil):
      return nil
    case (let carrier?, let tracking?):
      var errors = FieldErrors()
      if carrier.isEmpty || carrier.count > maxCarrier || carrier.unicodeScalars.contains(where: { $0.value < 0x20 }) {
        errors.append(
          FieldError(field: "carrier", code: "invalid", message: "carrier must be 1 to \(maxCarrier) characters"))
      }
      if tracking.isEmpty || tracking.count > maxTracking || !tracking.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) {
        errors.append(
          FieldError(
            field: "trackingNumber", code: "invalid",
            message: "trackingNumber must be 1 to \(maxTracking) printable ASCII characters"))
      }
      try errors.throwIfAny()
      return (carrier, tracking)
    default:
      throw ShipmentError.trackingRequired
    }
  }
}

/// A shipment as its buyer and seller see it.
package struct ShipmentView: JSONRepresentable {
  var shipment: Shipment

  package init(shipment: Shipment) {
    self.shipment = shipment
  }

  package var json: JSONValue {
    [
      "id": .string(shipment.id.rawValue), "orderId": .string(shipment.orderID.rawValue),
      "sellerId": .string(shipment.sellerID.rawValue), "status": .string(shipment.status.rawValue),
      "items": .array(
        shipment.lines.map {
          [
            "productId": .string($0.productID.rawValue), "variantId": .string($0.variantID.rawValue),
            "quantity": .integer($0.quantity),
          ]
        }),
      "carrier": shipment.carrier.json, "trackingNumber": shipment.trackingNumber.json,
      "createdAt": .string(shipment.createdAt.rfc3339), "updatedAt": .string(shipment.updatedAt.rfc3339),
      "startedAt": shipment.startedAt.rfc3339,
      "arrivedAt": shipment.arrivedAt.rfc3339,
      "canceledAt": shipment.canceledAt.rfc3339,
    ]
  }
}
