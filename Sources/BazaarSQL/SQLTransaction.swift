package import BazaarCore

/// The repositories of one transaction, over the connection that runs it: the one
/// `StoreTransaction` both stores hand their use cases.
package struct SQLTransaction: StoreTransaction {
  let sql: any SQLConnection

  /// The repositories over `connection`, inside the transaction its store began.
  package init(_ connection: any SQLConnection) {
    sql = connection
  }

  package var users: any UserRepository { SQLUserRepository(sql: sql) }
  package var sellers: any SellerRepository { SQLSellerRepository(sql: sql) }
  package var products: any ProductRepository { SQLProductRepository(sql: sql) }
  package var media: any MediaRepository { SQLMediaRepository(sql: sql) }
  package var tokens: any TokenRegistry { SQLTokenRegistry(sql: sql) }
  package var orders: any OrderRepository { SQLOrderRepository(sql: sql) }
  package var outbox: any OutboxRepository { SQLOutboxRepository(sql: sql) }
  package var idempotency: any IdempotencyRepository { SQLIdempotencyRepository(sql: sql) }
  package var payments: any PaymentRepository { SQLPaymentRepository(sql: sql) }
  package var shipments: any ShipmentRepository { SQLShipmentRepository(sql: sql) }
  package var processedEvents: any ProcessedEventRepository { SQLProcessedEventRepository(sql: sql) }
  package var loginFailures: any LoginFailureRepository { SQLLoginFailureRepository(sql: sql) }
}
