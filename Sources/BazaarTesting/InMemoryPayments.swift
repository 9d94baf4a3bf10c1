internal import BazaarCore

/// Payment attempts in memory, with the SQLite adapter's rule of one open attempt per order.
struct InMemoryPayments: PaymentRepository {
  let transaction: InMemoryTransaction

  func insert(_ payment: Payment) throws {
    try transaction.mutate { state in
      guard !state.payments.contains(where: { $0.id == payment.id }) else {
        throw StoreInvariantBroken("payment \(payment.id) exists")
      }
      if payment.isOpen, state.payments.contains(where: { $0.orderID == payment.orderID && $0.isOpen }) {
        throw StoreInvariantBroken("order \(payment.orderID) already has an open payment")
      }
      state.payments.append(payment)
    }
  }

  func payment(id: PaymentID) throws -> Payment? { transaction.state.payments.first { $0.id == id } }

  func latest(for order: OrderID) throws -> Payment? { transaction.state.payments.last { $0.orderID == order } }

  func update(_ payment: Payment) throws {
    transaction.mutate { state in
      guard let index = state.payments.firstIndex(where: { $0.id == payment.id }) else { return }
      var stored = payment
      // What never changes after ready stays as inserted.
      let original = state.payments[index]
      stored.orderID = original.orderID
      stored.userID = original.userID
      stored.amount = original.amount
      stored.tid = original.tid
      stored.stateSecret = original.stateSecret
      stored.redirects = original.redirects
      stored.createdAt = original.createdAt
      stored.readyExpiresAt = original.readyExpiresAt
      state.payments[index] = stored
    }
  }

  func uncertain(attemptedBefore before: Timestamp, limit: Int) throws -> [PaymentID] {
    transaction.state.payments.filter { $0.status.isUncertain && ($0.attemptedAt.map { $0 <= before } ?? false) }
      .sorted { ($0.attemptedAt!, $0.id.rawValue) < ($1.attemptedAt!, $1.id.rawValue) }.prefix(limit).map(\.id)
  }

  func count(failureReason reason: String) throws -> Int {
    transaction.state.payments.count { $0.failureReason == reason }
  }

  func countByStatus() throws -> [PaymentStatus: Int] {
    Dictionary(grouping: transaction.state.payments, by: \.status).mapValues(\.count)
  }
}

extension Payment {
  /// Ready, approving, completed or refunding: at most one per order.
  fileprivate var isOpen: Bool { [.ready, .approving, .completed, .refunding].contains(status) }
}

/// Shipments in memory, with the SQLite adapter's rule of one shipment per (order, seller).
struct InMemoryShipments: ShipmentRepository {
  let transaction: InMemoryTransaction

  func insert(_ shipment: Shipment) throws {
    try transaction.mutate { state in
      guard
        !state.shipments.contains(where: {
          $0.id == shipment.id || ($0.orderID == shipment.orderID && $0.sellerID == shipment.sellerID)
        })
      else { throw StoreInvariantBroken("order \(shipment.orderID) already has this seller's shipment") }
      state.shipments.append(shipment)
    }
  }

  func shipment(id: ShipmentID) throws -> Shipment? { transaction.state.shipments.first { $0.id == id } }

  func shipments(of order: OrderID) throws -> [Shipment] { transaction.state.shipments.filter { $0.orderID == order } }

  func shipments(
    sentBy seller: SellerID, status: ShipmentStatus?, after: ShipmentPosition?, limit: Int
  ) throws
    -> [Shipment]
  {
    transaction.state.shipments.filter { shipment in
      guard shipment.sellerID == seller, status == nil || shipment.status == status else { return false }
      guard let after else { return true }
      return (shipment.createdAt, shipment.id.rawValue) < (after.createdAt, after.id.rawValue)
    }.sorted { ($0.createdAt, $0.id.rawValue) > ($1.createdAt, $1.id.rawValue) }.prefix(limit).map { $0 }
  }

  func countByStatus() throws -> [ShipmentStatus: Int] {
    Dictionary(grouping: transaction.state.shipments, by: \.status).mapValues(\.count)
  }

  func update(_ shipment: Shipment) throws {
    transaction.mutate { state in
      guard let index = state.shipments.firstIndex(where: { $0.id == shipment.id }) else { return }
      var stored = state.shipments[index]
      stored.status = shipment.status
      stored.carrier = shipment.carrier
      stored.trackingNumber = shipment.trackingNumber
      stored.updatedAt = shipment.updatedAt
      stored.startedAt = shipment.startedAt
      stored.arrivedAt = shipment.arrivedAt
      stored.canceledAt = shipment.canceledAt
      state.shipments[index] = stored
    }
  }
}

/// Processed events in memory.
struct InMemoryProcessedEvents: ProcessedEventRepository {
  let transaction: InMemoryTransaction

  func record(consumer: String, source: String, id: String, at now: Timestamp) throws -> Bool {
    transaction.mutate { $0.processedEvents.insert("\(consumer)|\(source)|\(id)").inserted }
  }
}
