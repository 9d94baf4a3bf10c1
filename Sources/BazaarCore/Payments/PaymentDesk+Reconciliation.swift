/// Settling calls whose outcome was lost, through the gateway's lookup.
extension PaymentDesk {
  /// What a reconciliation pass did.
  package struct ReconcileReport: Sendable, Equatable {
    /// Payments looked at, and how each ended up.
    package var checked = 0
    package var completed = 0
    package var failed = 0
    package var canceled = 0
    package var reverted = 0
    /// Still unknown (the gateway did not answer): left for the next pass.
    package var unresolved = 0

    package init() {}
  }

  /// Settles every payment whose call's outcome is unknown and old enough to count as lost,
  /// through the gateway's lookup; at most `limit` per pass. With nothing to settle it needs
  /// no gateway (so it is safe from cron on any runner).
  package func reconcileUncertain(limit: Int = 100) throws -> ReconcileReport {
    let cutoff = clock.now().adding(seconds: -settings.uncertainAfter)
    let due = try store.read { try $0.payments.uncertain(attemptedBefore: cutoff, limit: limit) }
    var report = ReconcileReport()
    guard !due.isEmpty else { return report }
    let gateway = try requireGateway()
    for id in due {
      guard let payment = try store.read({ try $0.payments.payment(id: id) }), payment.status.isUncertain else {
        continue
      }
      report.checked += 1
      do {
        let outcome = try reconcile(payment, gateway: gateway)
        switch outcome.payment.status {
        case .completed where payment.status == .approving: report.completed += 1
        case .completed, .ready: report.reverted += 1
        case .failed: report.failed += 1
        case .canceled, .partCanceled: report.canceled += 1
        case .approving, .refunding: report.unresolved += 1
        }
      } catch PaymentError.gatewayUnavailable {
        report.unresolved += 1
      }
    }
    return report
  }

  /// Settles `payment` (`approving` or `refunding`) by what the gateway's lookup reports.
  func reconcile(
    _ payment: Payment, gateway: any PaymentGateway, refundRefused: Bool = false
  ) throws -> PaymentOutcome {
    let state: GatewayPaymentState
    do throws(PaymentGatewayError) {
      state = try gateway.lookup(tid: payment.tid)
    } catch .unknownTransaction {
      return try end(payment, as: .failed, reason: "unknown_transaction", message: "the gateway has no such payment")
    } catch {
      throw Self.problem(error)
    }
    switch payment.status {
    case .approving:
      switch state.status {
      case .approved:
        return try approved(
          payment, aid: state.aid ?? "", total: state.total, method: state.method ?? "", gateway: gateway)
      case .pending:
        try revertToReady(payment)
        return try outcome(of: payment.id)
      case .failed:
        return try end(
          payment, as: .failed, reason: "payment_failed", message: "the gateway reports \(state.statusText)")
      case .canceled, .partCanceled:
        return try end(
          payment, as: .failed, reason: "canceled_at_gateway",
          message: "the gateway reports \(state.statusText) before the shop recorded the approval")
      }
    case .refunding:
      switch state.status {
      case .approved where !refundRefused:
        // The cancel never reached the gateway: this is the first refund, not a second. If the
        // gateway refuses it now, the order is paid again (an operator hears of it).
        do {
          try refund(payment, gateway: gateway)
        } catch PaymentError.refundRefused(let reason) {
          alert(PaymentAlert("refund refused by the gateway: the order is paid again", payment, detail: reason))
        }
        return try outcome(of: payment.id)
      case .approved, .pending, .failed:
        try abortRefund(payment)
        return try outcome(of: payment.id)
      case .canceled, .partCanceled:
        return try settleRefund(payment, with: state, gateway: gateway)
      }
    default:
      return try outcome(of: payment.id)
    }
  }
}
