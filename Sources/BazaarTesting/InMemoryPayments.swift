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
}

extension Payment {
  /// Ready, approving, completed or refunding: at most one per order.
  fileprivate var isOpen: Bool { [.ready, .approving, .completed, .refunding].contains(status) }
}
