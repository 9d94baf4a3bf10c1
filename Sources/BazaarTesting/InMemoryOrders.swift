internal import BazaarCore
internal import BazaarJSON

/// Orders in memory, listed newest first as the SQLite adapter lists them.
struct InMemoryOrders: OrderRepository {
  let transaction: InMemoryTransaction

  func insert(_ order: Order) throws {
    try transaction.mutate { state in
      guard state.orders[order.id] == nil else { throw StoreInvariantBroken("order \(order.id) exists") }
      state.orders[order.id] = order
    }
  }

  func order(id: OrderID) throws -> Order? { transaction.state.orders[id] }

  func update(_ order: Order) throws {
    transaction.mutate { state in
      guard var stored = state.orders[order.id] else { return }
      stored.status = order.status
      stored.updatedAt = order.updatedAt
      stored.paidAt = order.paidAt
      stored.shippedAt = order.shippedAt
      stored.deliveredAt = order.deliveredAt
      stored.canceledAt = order.canceledAt
      stored.expiredAt = order.expiredAt
      state.orders[order.id] = stored
    }
  }

  func orders(of user: UserID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order] {
    page({ $0.userID == user }, status: status, after: after, limit: limit)
  }

  func orders(holding seller: SellerID, status: OrderStatus?, after: OrderPosition?, limit: Int) throws -> [Order] {
    page({ $0.lines.contains { $0.sellerID == seller } }, status: status, after: after, limit: limit)
  }

  func dueForExpiry(at now: Timestamp, limit: Int) throws -> [OrderID] {
    let approving = Set(transaction.state.payments.filter { $0.status == .approving }.map(\.orderID))
    return transaction.state.orders.values.filter {
      $0.status == .pendingPayment && $0.expiresAt <= now && !approving.contains($0.id)
    }
    .sorted { ($0.expiresAt, $0.id.rawValue) < ($1.expiresAt, $1.id.rawValue) }.prefix(limit).map(\.id)
  }

  func countByStatus() throws -> [OrderStatus: Int] {
    Dictionary(grouping: transaction.state.orders.values, by: \.status).mapValues(\.count)
  }

  private func page(_ matches: (Order) -> Bool, status: OrderStatus?, after: OrderPosition?, limit: Int) -> [Order] {
    let newestFirst = { (a: Order, b: Order) in (a.createdAt, a.id.rawValue) > (b.createdAt, b.id.rawValue) }
    return transaction.state.orders.values.filter { order in
      guard matches(order), status == nil || order.status == status else { return false }
      guard let after else { return true }
      return (order.createdAt, order.id.rawValue) < (after.createdAt, after.id.rawValue)
    }.sorted(by: newestFirst).prefix(limit).map { $0 }
  }
}

/// The outbox in memory, in insertion order.
struct InMemoryOutbox: OutboxRepository {
  let transaction: InMemoryTransaction

  func append(_ event: OutboxEvent) throws {
    transaction.mutate {
      $0.outbox.append(
        .init(
          event: PendingEvent(id: event.id, type: event.type, json: event.cloudEvent.serialized), createdAt: event.time,
          claimedUntil: nil, relayedAt: nil))
    }
  }

  func claim(limit: Int, now: Timestamp, leaseUntil: Timestamp) throws -> [PendingEvent] {
    transaction.mutate { state in
      var claimed: [PendingEvent] = []
      for index in state.outbox.indices where claimed.count < limit {
        let row = state.outbox[index]
        guard row.relayedAt == nil, row.claimedUntil.map({ $0 <= now }) ?? true else { continue }
        state.outbox[index].claimedUntil = leaseUntil
        claimed.append(row.event)
      }
      return claimed
    }
  }

  func markRelayed(_ ids: [String], at now: Timestamp) throws {
    transaction.mutate { state in
      for index in state.outbox.indices where ids.contains(state.outbox[index].event.id) {
        if state.outbox[index].relayedAt == nil { state.outbox[index].relayedAt = now }
      }
    }
  }

  func stats() throws -> OutboxStats {
    let pending = transaction.state.outbox.filter { $0.relayedAt == nil }
    return OutboxStats(
      pending: pending.count, oldestPending: pending.map(\.createdAt).min(),
      relayed: transaction.state.outbox.count - pending.count)
  }
}

/// Idempotency records in memory.
struct InMemoryIdempotency: IdempotencyRepository {
  let transaction: InMemoryTransaction

  func record(of user: UserID, key: String) throws -> IdempotencyRecord? {
    transaction.state.idempotency[user.rawValue + "\u{1F}" + key]
  }

  func save(_ record: IdempotencyRecord) throws {
    transaction.mutate { $0.idempotency[record.userID.rawValue + "\u{1F}" + record.key] = record }
  }

  func prune(before now: Timestamp, limit: Int) throws {
    transaction.mutate { state in
      for key in state.idempotency.filter({ $0.value.expiresAt < now }).keys.prefix(limit) {
        state.idempotency[key] = nil
      }
    }
  }
}
