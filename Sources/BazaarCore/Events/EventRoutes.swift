/// Which spool queues receive which event types: the one routing table (docs/events.md).
///
/// A queue here is read by one kind of consumer. `orders` carries every order event, for
/// integrations and for replaying what happened to an order (its shipments' progress included);
/// `payments` and `shipments` carry what the scheduler consumes: payment outcomes (shipments are
/// requested once a payment completes) and shipment jobs.
package enum EventRoutes {
  /// Event type → queues, in the order they are published to.
  package static let table: [String: [String]] = [
    "order.placed": ["orders"],
    "order.canceled": ["orders"],
    "order.expired": ["orders"],
    "order.paid": ["orders"],
    "order.shipped": ["orders"],
    "order.delivered": ["orders"],
    "payment.completed": ["payments"],
    "payment.canceled": ["payments"],
    "shipment.requested": ["shipments"],
    "shipment.dispatched": ["orders"],
    "shipment.delivered": ["orders"],
    "shipment.canceled": ["orders"],
  ]

  /// The queues that receive `type` (none for a type nobody subscribes to).
  package static func queues(for type: String) -> [String] {
    table[type] ?? []
  }
}
