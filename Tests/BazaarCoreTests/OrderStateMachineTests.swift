import BazaarCore
import Testing

@Suite struct OrderStateMachineTests {
  static let allowed: [(OrderStatus, OrderTransition, OrderStatus, [String])] = [
    (.pendingPayment, .cancel, .canceled, ["order.canceled"]),
    (.pendingPayment, .expire, .expired, ["order.expired"]),
    (.pendingPayment, .pay, .paid, ["order.paid"]),
    (.paid, .beginRefund, .canceling, []),
    (.canceling, .abortRefund, .paid, []),
    (.canceling, .refund, .canceled, ["order.canceled"]),
    (.paid, .ship, .shipped, ["order.shipped"]),
    (.shipped, .deliver, .delivered, ["order.delivered"]),
  ]

  func order(_ status: OrderStatus) -> Order {
    Order(
      id: OrderID(rawValue: "ord_1"), userID: UserID(rawValue: "usr_1"), status: status, lines: [],
      total: Money(won: 1),
      shipping: OrderShipping(recipient: "Kim", phone: "0101234567", postalCode: "06236", line1: "A", line2: nil),
      createdAt: Timestamp(seconds: 10), updatedAt: Timestamp(seconds: 10), expiresAt: Timestamp(seconds: 910))
  }

  @Test func everyAllowedTransitionMovesTheStatusStampsItAndEmitsItsEvent() throws {
    for (from, transition, to, event) in Self.allowed {
      let (changed, events) = try OrderStateMachine.apply(transition, to: order(from), at: Timestamp(seconds: 20))
      #expect(changed.status == to, "\(from) \(transition)")
      #expect(events == event)
      #expect(changed.updatedAt == Timestamp(seconds: 20))
      let stamp: Timestamp? =
        switch transition {
        case .beginRefund, .abortRefund: Timestamp(seconds: 20)
        case .cancel, .refund: changed.canceledAt
        case .expire: changed.expiredAt
        case .pay: changed.paidAt
        case .ship: changed.shippedAt
        case .deliver: changed.deliveredAt
        }
      #expect(stamp == Timestamp(seconds: 20))
    }
  }

  @Test func everyOtherPairIsRefusedAndChangesNothing() {
    let transitions: [OrderTransition] = [
      .cancel, .expire, .pay, .beginRefund, .abortRefund, .refund, .ship, .deliver,
    ]
    for status in OrderStatus.allCases {
      for transition in transitions where !Self.allowed.contains(where: { $0.0 == status && $0.1 == transition }) {
        #expect(OrderStateMachine.next(from: status, transition) == nil)
        #expect(throws: OrderError.self) {
          try OrderStateMachine.apply(transition, to: order(status), at: .init(seconds: 1))
        }
      }
    }
    #expect(throws: OrderError.notCancelable(.expired)) {
      try OrderStateMachine.apply(.cancel, to: order(.expired), at: .init(seconds: 1))
    }
    #expect(throws: OrderError.invalidTransition(from: .canceled, .pay)) {
      try OrderStateMachine.apply(.pay, to: order(.canceled), at: .init(seconds: 1))
    }
  }

  @Test func onlyOpenOrdersHoldStock() {
    #expect(OrderStatus.allCases.filter(\.holdsReservation) == [.pendingPayment, .paid, .canceling])
  }
}
