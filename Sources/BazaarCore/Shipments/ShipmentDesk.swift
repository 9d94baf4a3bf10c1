package import BazaarJSON

/// Why a shipment use case refused.
package enum ShipmentError: Error, Equatable, Sendable {
  /// No shipment with this id concerns the caller (another seller's looks the same).
  case shipmentNotFound
  /// The shipment's status does not allow the step (shipping one that started, say).
  case invalidTransition(from: ShipmentStatus, to: ShipmentStatus)
  /// Its order is being canceled or was: nothing may ship it.
  case orderNotShippable(OrderStatus)
  /// A shipment of the order has started: the order can no longer be canceled.
  case alreadyShipped
  /// A manual shipment needs the seller's carrier and tracking number.
  case trackingRequired
}

/// Who moves a shipment: its seller, the scheduler (automatic fulfilment), or an operator at
/// the shop's shell.
package enum ShipmentActor: Sendable, Equatable {
  case seller(SellerID)
  case scheduler
  case `operator`
}

/// A carrier books a shipment and names its tracking number.
package protocol Carrier: Sendable {
  /// The carrier's name and the tracking number for `shipment`.
  func book(_ shipment: Shipment) throws -> (carrier: String, trackingNumber: String)
}

/// The built-in carrier: it issues tracking numbers itself (`BZ` and the id's characters).
package struct BuiltInCarrier: Carrier {
  package var ids: any IDGenerator

  package init(ids: any IDGenerator) {
    self.ids = ids
  }

  package func book(_ shipment: Shipment) throws -> (carrier: String, trackingNumber: String) {
    ("bazaar-post", "BZ" + ids.next().uppercased())
  }
}

/// An event a consumer handles, named as CloudEvents name it (for the processed-events record).
package struct ConsumedEvent: Sendable, Equatable {
  package var source: String
  package var id: String

  package init(source: String, id: String) {
    self.source = source
    self.id = id
  }
}

/// The shipment use cases: shipments requested once a payment completes (one per seller of
/// the order), dispatched (the reservation becomes a stock decrement), delivered, and canceled
/// while not started. Each change and its events commit in one transaction; the consumers
/// record the event they handled in the same transaction, so a redelivery changes nothing.
package struct ShipmentDesk: Sendable {
  package var store: any Store
  package var ids: any IDGenerator
  package var clock: any Clock

  package init(store: any Store, ids: any IDGenerator, clock: any Clock) {
    self.store = store
    self.ids = ids
    self.clock = clock
  }

  /// The consumer names in the processed-events record.
  package static let requestConsumer = "shipments.request"
  package static let cancelConsumer = "shipments.cancel"

  /// Consumes `payment.completed` for `orderID`: one `ready` shipment per seller of a paid order,
  /// each with its `shipment.requested` event. Nothing for an order that is no longer paid, or
  /// for an event seen before. Returns the shipments created.
  package func request(for orderID: OrderID, event: ConsumedEvent) throws -> [Shipment] {
    let now = clock.now()
    return try store.write { tx in
      guard try tx.processedEvents.record(consumer: Self.requestConsumer, source: event.source, id: event.id, at: now)
      else { return [] }
      guard let order = try tx.orders.order(id: orderID), order.status == .paid,
        try tx.shipments.shipments(of: orderID).isEmpty
      else { return [] }
      var sellers: [SellerID] = []
      for line in order.lines where !sellers.contains(line.sellerID) { sellers.append(line.sellerID) }
      var created: [Shipment] = []
      for seller in sellers {
        let shipment = Shipment(
          id: ShipmentID(from: ids), orderID: orderID, sellerID: seller, userID: order.userID,
          lines: order.lines(of: seller).map {
            ShipmentLine(productID: $0.productID, variantID: $0.variantID, quantity: $0.quantity)
          },
          createdAt: now)
        try tx.shipments.insert(shipment)
        try tx.outbox.append(ShipmentEvents.event("shipment.requested", shipment, ids: ids, at: now))
        created.append(shipment)
      }
      return created
    }
  }

  /// Sends a `ready` shipment: the carrier's name and tracking number (the seller's own, or
  /// the built-in carrier's when `booking` is nil), its lines' reservations become stock
  /// decrements, `shipment.dispatched`; the order is `shipped` once all its shipments started.
  /// Refused while the order is canceling or canceled.
  package func dispatch(
    _ id: ShipmentID, by actor: ShipmentActor, booking: (carrier: String, trackingNumber: String)?,
    carrier: any Carrier
  ) throws -> Shipment {
    try dispatch(id, by: actor, booking: booking, carrier: carrier, automaticOnly: false)!
  }

  /// The scheduler's job for `shipment.requested`: dispatches through `carrier` when the seller
  /// fulfils automatically; nil (the shipment waits for its seller) when it fulfils manually.
  package func dispatchIfAutomatic(_ id: ShipmentID, carrier: any Carrier) throws -> Shipment? {
    try dispatch(id, by: .scheduler, booking: nil, carrier: carrier, automaticOnly: true)
  }

  private func dispatch(
    _ id: ShipmentID, by actor: ShipmentActor, booking: (carrier: String, trackingNumber: String)?,
    carrier: any Carrier, automaticOnly: Bool
  ) throws -> Shipment? {
    let now = clock.now()
    return try store.write { tx -> Shipment? in
      let shipment = try Self.shipment(id, for: actor, in: tx)
      if automaticOnly, try tx.sellers.seller(id: shipment.sellerID)?.fulfillment == .manual { return nil }
      guard shipment.status == .ready else {
        throw ShipmentError.invalidTransition(from: shipment.status, to: .started)
      }
      guard let order = try tx.orders.order(id: shipment.orderID) else { throw StoreInvariantBroken("no order") }
      guard order.status == .paid else { throw ShipmentError.orderNotShippable(order.status) }
      let booked = try booking ?? carrier.book(shipment)
      for line in shipment.lines {
        guard try tx.products.consumeReserved(of: line.variantID, by: line.quantity) else {
          throw StoreInvariantBroken("variant \(line.variantID) holds fewer reserved units than shipment \(id)")
        }
      }
      var started = shipment
      started.status = .started
      started.carrier = booked.carrier
      started.trackingNumber = booked.trackingNumber
      started.startedAt = now
      started.updatedAt = max(shipment.updatedAt, now)
      try tx.shipments.update(started)
      try tx.outbox.append(ShipmentEvents.event("shipment.dispatched", started, ids: ids, at: now))
      let all = try tx.shipments.shipments(of: order.id)
      if all.allSatisfy({ $0.status == .started || $0.status == .arrived }) {
        _ = try tx.apply(.ship, to: order, at: now, ids: ids)
      }
      return started
    }
  }

  /// Marks a `started` shipment `arrived` (`shipment.delivered`); the order is `delivered` once
  /// all its shipments arrived.
  package func deliver(_ id: ShipmentID, by actor: ShipmentActor) throws -> Shipment {
    let now = clock.now()
    return try store.write { tx in
      let shipment = try Self.shipment(id, for: actor, in: tx)
      guard shipment.status == .started else {
        throw ShipmentError.invalidTransition(from: shipment.status, to: .arrived)
      }
      var arrived = shipment
      arrived.status = .arrived
      arrived.arrivedAt = now
      arrived.updatedAt = max(shipment.updatedAt, now)
      try tx.shipments.update(arrived)
      try tx.outbox.append(ShipmentEvents.event("shipment.delivered", arrived, ids: ids, at: now))
      let all = try tx.shipments.shipments(of: shipment.orderID)
      if all.allSatisfy({ $0.status == .arrived }), let order = try tx.orders.order(id: shipment.orderID),
        order.status == .shipped
      {
        _ = try tx.apply(.deliver, to: order, at: now, ids: ids)
      }
      return arrived
    }
  }

  /// One shipment as `viewer` may see it: its buyer, or its seller; anyone else gets
  /// `shipmentNotFound`, as for an unknown id.
  package func shipment(_ rawID: String, for viewer: AccessClaims) throws -> Shipment {
    guard let id = ShipmentID(checking: rawID), let shipment = try store.read({ try $0.shipments.shipment(id: id) })
    else { throw ShipmentError.shipmentNotFound }
    let visible =
      switch viewer.role {
      case .user: shipment.userID.rawValue == viewer.subject
      case .seller: shipment.sellerID.rawValue == viewer.subject
      case .operator: false
      }
    guard visible else { throw ShipmentError.shipmentNotFound }
    return shipment
  }

  /// The shipments of each of `orders` (for order views), in creation order.
  package func shipments(for orders: [OrderID]) throws -> [OrderID: [Shipment]] {
    guard !orders.isEmpty else { return [:] }
    return try store.read { tx in
      var found: [OrderID: [Shipment]] = [:]
      for id in orders { found[id] = try tx.shipments.shipments(of: id) }
      return found
    }
  }

  /// A page of the calling seller's shipments, newest first: optional status, limit, cursor.
  package func list(
    of caller: AccessClaims, status: String?, limit: Int64?, cursor: String?
  ) throws -> (items: [Shipment], nextCursor: String?) {
    var errors = FieldErrors()
    let parsedStatus = errors.collect { () throws(FieldError) -> ShipmentStatus? in try StatusFilter.check(status) }
    let parsedLimit = errors.collect { try PageLimit.check(limit) }
    try errors.throwIfAny()
    var after: ShipmentPosition?
    if let cursor {
      guard let parsed = ShipmentCursor(encoded: cursor) else {
        throw FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this listing returned")
      }
      guard parsed.status == parsedStatus! else {
        throw FieldError(
          field: "cursor", code: "mismatch", message: "cursor belongs to another listing; repeat its status filter")
      }
      after = parsed.position
    }
    let seller = SellerID(rawValue: caller.subject)
    let limit = parsedLimit!
    let found = try store.read { tx in
      guard let account = try tx.sellers.seller(id: seller) else { throw AccountError.sellerNotFound }
      try account.status.requireActive()
      return try tx.shipments.shipments(sentBy: seller, status: parsedStatus!, after: after, limit: limit + 1)
    }
    guard found.count > limit else { return (found, nil) }
    let items = Array(found.prefix(limit))
    let last = items.last!
    let next = ShipmentCursor(
      status: parsedStatus!, position: ShipmentPosition(createdAt: last.createdAt, id: last.id))
    return (items, next.encoded)
  }

  /// Consumes `order.canceled` / `payment.canceled`: the order's shipments not started yet are
  /// `canceled` (`shipment.canceled`). Returns how many.
  package func cancelUnstarted(of orderID: OrderID, event: ConsumedEvent) throws -> Int {
    let now = clock.now()
    return try store.write { tx in
      guard try tx.processedEvents.record(consumer: Self.cancelConsumer, source: event.source, id: event.id, at: now)
      else { return 0 }
      var count = 0
      for shipment in try tx.shipments.shipments(of: orderID) where shipment.status == .ready {
        var canceled = shipment
        canceled.status = .canceled
        canceled.canceledAt = now
        canceled.updatedAt = max(shipment.updatedAt, now)
        try tx.shipments.update(canceled)
        try tx.outbox.append(ShipmentEvents.event("shipment.canceled", canceled, ids: ids, at: now))
        count += 1
      }
      return count
    }
  }

  /// The shipment `id` as `actor` may act on it: a seller only its own (another's is
  /// `shipmentNotFound`, as an unknown one is).
  private static func shipment(
    _ id: ShipmentID, for actor: ShipmentActor, in tx: any StoreTransaction
  ) throws
    -> Shipment
  {
    guard let shipment = try tx.shipments.shipment(id: id) else { throw ShipmentError.shipmentNotFound }
    if case .seller(let seller) = actor, seller != shipment.sellerID { throw ShipmentError.shipmentNotFound }
    return shipment
  }
}

/// The events shipments emit, as CloudEvents: `source` `/bazaar/shipments`, `subject` the
/// shipment id, `data` the shipment, its order, seller, lines and tracking.
package enum ShipmentEvents {
  /// Where shipment events come from.
  package static let source = "/bazaar/shipments"

  /// The event `type` reports about `shipment`, with a new id from `ids`.
  package static func event(
    _ type: String, _ shipment: Shipment, ids: any IDGenerator, at now: Timestamp
  )
    -> OutboxEvent
  {
    OutboxEvent(
      id: "evt_" + ids.next(), source: source, type: type, subject: shipment.id.rawValue, time: now,
      data: [
        "shipmentId": .string(shipment.id.rawValue), "orderId": .string(shipment.orderID.rawValue),
        "sellerId": .string(shipment.sellerID.rawValue), "status": .string(shipment.status.rawValue),
        "carrier": shipment.carrier.json, "trackingNumber": shipment.trackingNumber.json,
        "items": .array(
          shipment.lines.map { ["productId": .string($0.productID.rawValue), "quantity": .integer($0.quantity)] }),
      ])
  }
}

/// The position a shipment listing continues from, as an opaque cursor (`s1`, the status
/// filter, the last shipment's creation time and id; base64url, so it starts `czEf`).
package struct ShipmentCursor: Equatable, Sendable {
  package var status: ShipmentStatus?
  package var position: ShipmentPosition

  package init(status: ShipmentStatus?, position: ShipmentPosition) {
    self.status = status
    self.position = position
  }

  private static let separator: Character = "\u{1F}"

  package var encoded: String {
    let text = ["s1", status?.rawValue ?? "", String(position.createdAt.milliseconds), position.id.rawValue]
      .joined(separator: String(Self.separator))
    return Base64.urlEncoded(Array(text.utf8))
  }

  /// The cursor `encoded` holds, or nil when it is not one this server minted.
  package init?(encoded: String) {
    guard encoded.utf8.count <= 256, let bytes = Base64.urlDecoded(encoded[...]),
      let text = String(validating: bytes, as: UTF8.self)
    else { return nil }
    let parts = text.split(separator: Self.separator, omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 4, parts[0] == "s1", parts[1].isEmpty || ShipmentStatus(rawValue: parts[1]) != nil,
      let created = Int64(parts[2]), let id = ShipmentID(checking: parts[3])
    else { return nil }
    status = ShipmentStatus(rawValue: parts[1])
    position = ShipmentPosition(createdAt: Timestamp(milliseconds: created), id: id)
  }
}
