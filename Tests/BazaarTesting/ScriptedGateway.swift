package import BazaarCore
package import Synchronization

/// A payment gateway in memory that keeps payments as KakaoPay does (ready → approved →
/// canceled) and lets a test script each call: fail it, change its answer, or run something
/// (cancel the order, say) while the gateway "works".
package final class ScriptedGateway: PaymentGateway {
  /// One payment as the gateway holds it.
  package struct Held: Sendable, Equatable {
    package var request: PaymentReadyRequest
    package var status: GatewayPaymentStatus
    package var canceled: Money
    package var aid: String?
  }

  /// What a scripted call does instead of (or before) the default.
  package enum Script: Sendable {
    /// Throws this error without any effect.
    case fail(PaymentGatewayError)
    /// Takes effect, then throws this error (the answer was lost).
    case effectThenFail(PaymentGatewayError)
    /// Approves this total instead of the readied one.
    case approveTotal(Money)
  }

  private let state = Mutex<(payments: [String: Held], calls: [String], scripts: [String: [Script]])>(([:], [], [:]))
  /// Runs during `approve`, before its answer (to change the shop's data meanwhile).
  package let duringApprove = Mutex<(@Sendable () -> Void)?>(nil)

  package init() {}

  package var isSandbox: Bool { false }

  /// Every call so far, in order (`ready`, `approve`, `cancel`, `lookup`).
  package var calls: [String] { state.withLock { $0.calls } }

  /// The gateway's record of `tid`.
  package func held(_ tid: String) -> Held? { state.withLock { $0.payments[tid] } }

  /// The next call to `endpoint` follows `script`.
  package func script(_ endpoint: String, _ script: Script) {
    state.withLock { $0.scripts[endpoint, default: []].append(script) }
  }

  private func begin(_ endpoint: String) -> Script? {
    state.withLock { state in
      state.calls.append(endpoint)
      guard var queued = state.scripts[endpoint], !queued.isEmpty else { return nil }
      let next = queued.removeFirst()
      state.scripts[endpoint] = queued
      return next
    }
  }

  package func ready(_ request: PaymentReadyRequest) throws(PaymentGatewayError) -> PaymentReadyAnswer {
    let script = begin("ready")
    if case .fail(let error) = script { throw error }
    let tid = "T\(state.withLock { $0.payments.count + 1 })"
    state.withLock { $0.payments[tid] = Held(request: request, status: .pending, canceled: Money(won: 0)) }
    if case .effectThenFail(let error) = script { throw error }
    return PaymentReadyAnswer(
      tid: tid, redirects: PaymentRedirects(pc: "https://pay.test/\(tid)", mobile: "m", app: "a"))
  }

  package func approve(_ request: PaymentApproveRequest) throws(PaymentGatewayError) -> GatewayApproval {
    let script = begin("approve")
    if case .fail(let error) = script { throw error }
    duringApprove.withLock { $0 }?()
    let result: Result<GatewayApproval, PaymentGatewayError> = state.withLock { state in
      guard var held = state.payments[request.tid] else { return .failure(.unknownTransaction) }
      guard held.status == .pending else { return .failure(.alreadyApproved) }
      held.status = .approved
      held.aid = "A-\(request.tid)"
      if case .approveTotal(let total) = script { held.request.total = total }
      state.payments[request.tid] = held
      return .success(GatewayApproval(aid: held.aid!, total: held.request.total, method: "CARD"))
    }
    if case .effectThenFail(let error) = script { throw error }
    return try result.get()
  }

  package func cancel(tid: String, amount: Money) throws(PaymentGatewayError) -> GatewayPaymentState {
    let script = begin("cancel")
    if case .fail(let error) = script { throw error }
    let result: Result<GatewayPaymentState, PaymentGatewayError> = state.withLock { state in
      guard var held = state.payments[tid] else { return .failure(.unknownTransaction) }
      guard held.status == .approved || held.status == .partCanceled,
        amount.won <= held.request.total.won - held.canceled.won
      else { return .failure(.exceedsCancelable) }
      held.canceled = Money(won: held.canceled.won + amount.won)
      held.status = held.canceled == held.request.total ? .canceled : .partCanceled
      state.payments[tid] = held
      return .success(Self.snapshot(held))
    }
    if case .effectThenFail(let error) = script { throw error }
    return try result.get()
  }

  package func lookup(tid: String) throws(PaymentGatewayError) -> GatewayPaymentState {
    if case .fail(let error) = begin("lookup") { throw error }
    guard let held = state.withLock({ $0.payments[tid] }) else { throw .unknownTransaction }
    return Self.snapshot(held)
  }

  private static func snapshot(_ held: Held) -> GatewayPaymentState {
    GatewayPaymentState(
      status: held.status, statusText: "\(held.status)", total: held.request.total, canceled: held.canceled,
      aid: held.aid, method: held.aid == nil ? nil : "CARD")
  }
}

/// Secrets `secret-1`, `secret-2`, … padded to 32 characters: readable in tests.
package final class SequentialSecrets: SecretGenerator {
  private let counter = Mutex(0)

  package init() {}

  package func secret() -> String {
    counter.withLock {
      $0 += 1
      let text = "secret-\($0)"
      return text + String(repeating: "x", count: 32 - text.count)
    }
  }
}
