package import BazaarCore
package import BazaarJSON
internal import Foundation
internal import Synchronization

#if canImport(FoundationNetworking)
  internal import FoundationNetworking
#endif

/// The production adapter of the payment gateway port: KakaoPay's current online single
/// payment API (`POST {base}/online/v1/payment/ready|approve|cancel|order`, JSON bodies,
/// `Authorization: SECRET_KEY {key}`) over `URLSession` (libcurl on Linux).
///
/// Every call has a deadline; no answer in time, a refused connection or a 5xx is
/// `unavailable` (the call may have taken effect: the core reconciles). The secret key goes
/// into the `Authorization` header and nowhere else: not into errors, logs or descriptions.
package struct KakaoPayGateway: PaymentGateway, CustomStringConvertible {
  private let settings: PaymentGatewaySettings
  private let session: URLSession

  package init(_ settings: PaymentGatewaySettings) {
    self.settings = settings
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = settings.timeout
    configuration.timeoutIntervalForResource = settings.timeout
    configuration.httpMaximumConnectionsPerHost = 64
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    session = URLSession(configuration: configuration)
  }

  package var isSandbox: Bool { settings.isSandbox }

  /// Names the endpoint, never the key.
  package var description: String { "KakaoPayGateway(\(settings.baseURL), cid: \(settings.cid))" }

  package func ready(_ request: PaymentReadyRequest) throws(PaymentGatewayError) -> PaymentReadyAnswer {
    let answer = try call(
      "ready",
      [
        "cid": .string(settings.cid), "partner_order_id": .string(request.partnerOrderID),
        "partner_user_id": .string(request.partnerUserID), "item_name": .string(request.itemName),
        "quantity": .integer(request.quantity), "total_amount": .integer(request.total.won),
        "tax_free_amount": .integer(request.taxFree.won), "approval_url": .string(request.approvalURL),
        "cancel_url": .string(request.cancelURL), "fail_url": .string(request.failURL),
      ])
    guard let tid = answer["tid"]?.stringValue, let pc = answer["next_redirect_pc_url"]?.stringValue,
      let mobile = answer["next_redirect_mobile_url"]?.stringValue
    else { throw .unavailable("KakaoPay's ready answer lacks tid or redirect URLs") }
    let app = answer["next_redirect_app_url"]?.stringValue ?? mobile
    return PaymentReadyAnswer(tid: tid, redirects: PaymentRedirects(pc: pc, mobile: mobile, app: app))
  }

  package func approve(_ request: PaymentApproveRequest) throws(PaymentGatewayError) -> GatewayApproval {
    let answer = try call(
      "approve",
      [
        "cid": .string(settings.cid), "tid": .string(request.tid), "partner_order_id": .string(request.partnerOrderID),
        "partner_user_id": .string(request.partnerUserID), "pg_token": .string(request.pgToken),
      ])
    guard let aid = answer["aid"]?.stringValue, let total = Self.total(answer["amount"]) else {
      throw .unavailable("KakaoPay's approve answer lacks aid or amount")
    }
    return GatewayApproval(aid: aid, total: total, method: answer["payment_method_type"]?.stringValue ?? "")
  }

  package func cancel(tid: String, amount: Money) throws(PaymentGatewayError) -> GatewayPaymentState {
    let answer = try call(
      "cancel",
      [
        "cid": .string(settings.cid), "tid": .string(tid), "cancel_amount": .integer(amount.won),
        "cancel_tax_free_amount": .integer(0),
      ])
    return try Self.state(answer)
  }

  package func lookup(tid: String) throws(PaymentGatewayError) -> GatewayPaymentState {
    try Self.state(try call("order", ["cid": .string(settings.cid), "tid": .string(tid)]))
  }

  // MARK: - The wire

  /// POSTs `body` to `endpoint` and returns the answer's object, or the error it stands for.
  private func call(_ endpoint: String, _ body: [String: JSONValue]) throws(PaymentGatewayError) -> JSONValue {
    guard let url = URL(string: settings.baseURL + "/online/v1/payment/" + endpoint) else {
      throw .notConfigured("KAKAOPAY_BASE_URL is not a URL")
    }
    var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: settings.timeout)
    request.httpMethod = "POST"
    request.setValue("SECRET_KEY " + settings.secretKey, forHTTPHeaderField: "Authorization")
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.setValue("application/json", forHTTPHeaderField: "Accept")
    request.httpBody = Data(JSONValue.object(body).serialized.utf8)
    let (status, data) = try send(request)
    let parsed = try? JSONValue.parse(Array(data))
    if (200..<300).contains(status) {
      guard let parsed, case .object = parsed else { throw .unavailable("KakaoPay's \(endpoint) answer is not JSON") }
      return parsed
    }
    if status >= 500 { throw .unavailable("KakaoPay answered HTTP \(status)") }
    throw Self.error(status: status, body: parsed)
  }

  /// Sends `request` and waits, at most the timeout and a second, for its status and body.
  private func send(_ request: URLRequest) throws(PaymentGatewayError) -> (Int, Data) {
    let outcome = Mutex<Result<(Int, Data), PaymentGatewayError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let timeout = settings.timeout
    let task = session.dataTask(with: request) { data, response, error in
      let result: Result<(Int, Data), PaymentGatewayError>
      if let error {
        result = .failure(Self.transportError(error, timeout: timeout))
      } else if let response = response as? HTTPURLResponse {
        result = .success((response.statusCode, data ?? Data()))
      } else {
        result = .failure(.unavailable("KakaoPay's answer was not HTTP"))
      }
      outcome.withLock { $0 = result }
      done.signal()
    }
    task.resume()
    if done.wait(timeout: .now() + timeout + 1) == .timedOut {
      task.cancel()
      throw .unavailable("no answer from KakaoPay within \(Self.seconds(timeout)) s")
    }
    guard let result = outcome.withLock({ $0 }) else { throw .unavailable("no answer from KakaoPay") }
    return try result.get()
  }

  private static func transportError(_ error: any Error, timeout: Double) -> PaymentGatewayError {
    let code = (error as? URLError)?.code
    switch code {
    case .timedOut?: return .unavailable("no answer from KakaoPay within \(seconds(timeout)) s")
    case .cannotConnectToHost?, .cannotFindHost?, .networkConnectionLost?, .notConnectedToInternet?,
      .dnsLookupFailed?:
      return .unavailable("cannot connect to KakaoPay")
    case .secureConnectionFailed?, .serverCertificateUntrusted?, .serverCertificateHasBadDate?:
      return .unavailable("the TLS connection to KakaoPay failed")
    default: return .unavailable("the call to KakaoPay failed (URLError \(code?.rawValue ?? 0))")
    }
  }

  private static func seconds(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }

  // MARK: - Reading answers

  /// An error answer in either of KakaoPay's shapes (`code`/`msg`/`extras`, or
  /// `error_code`/`error_message`), as the core's error.
  package static func error(status: Int, body: JSONValue?) -> PaymentGatewayError {
    let code: Int? =
      switch body?["error_code"] ?? body?["code"] {
      case .integer(let number)?: Int(number)
      case .string(let text)?: Int(text)
      default: nil
      }
    var message = body?["error_message"]?.stringValue ?? body?["msg"]?.stringValue ?? "HTTP \(status)"
    if let detail = body?["extras"]?["method_result_message"]?.stringValue, !detail.isEmpty {
      message += " (\(detail))"
    }
    guard let code else {
      if status == 401 || status == 403 {
        return .notConfigured("KakaoPay refused the shop's credentials (HTTP \(status))")
      }
      return .rejected(code: 0, message: message)
    }
    switch code {
    case -702: return .alreadyApproved
    case -701, -708: return .notAuthenticated(message)
    case -723: return .expired
    case -721: return .unknownTransaction
    case -710: return .exceedsCancelable
    case -797: return .limitExceeded
    case -733...(-730), -799...(-798):
      return .notConfigured("KakaoPay refused the shop's credentials, CID or address (\(code))")
    default:
      if status == 401 || status == 403 { return .notConfigured("KakaoPay refused the shop's credentials (\(code))") }
      return .rejected(code: code, message: message)
    }
  }

  /// The `total` of an amount object (`amount`, `canceled_amount`, …).
  private static func total(_ amount: JSONValue?) -> Money? {
    guard case .integer(let total)? = amount?["total"] else { return nil }
    return Money(won: total)
  }

  /// The state a cancel or order answer reports.
  package static func state(_ answer: JSONValue) throws(PaymentGatewayError) -> GatewayPaymentState {
    guard let text = answer["status"]?.stringValue, let total = total(answer["amount"]) else {
      throw .unavailable("KakaoPay's answer lacks status or amount")
    }
    let status: GatewayPaymentStatus
    switch text {
    case "READY", "SEND_TMS", "OPEN_PAYMENT", "SELECT_METHOD", "ARS_WAITING", "AUTH_PASSWORD", "ISSUED_SID":
      status = .pending
    case "SUCCESS_PAYMENT": status = .approved
    case "CANCEL_PAYMENT": status = .canceled
    case "PART_CANCEL_PAYMENT": status = .partCanceled
    case "FAIL_AUTH_PASSWORD", "QUIT_PAYMENT", "FAIL_PAYMENT": status = .failed
    default: throw .unavailable("KakaoPay reports a status this shop does not know (\(text.prefix(40)))")
    }
    var aid = answer["aid"]?.stringValue
    if aid == nil, case .array(let actions)? = answer["payment_action_details"] {
      aid = actions.first { $0["payment_action_type"]?.stringValue == "PAYMENT" }?["aid"]?.stringValue
    }
    return GatewayPaymentState(
      status: status, statusText: text, total: total, canceled: Self.total(answer["canceled_amount"]) ?? Money(won: 0),
      aid: aid, method: answer["payment_method_type"]?.stringValue)
  }
}
