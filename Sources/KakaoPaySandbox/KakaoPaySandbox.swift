internal import BazaarJSON
internal import Foundation
internal import GRDB
internal import Synchronization

/// A KakaoPay that runs on this machine: the online single payment API's four endpoints with
/// their documented fields, statuses and error bodies, payments kept in its own SQLite file,
/// and the buyer's checkout page at the `next_redirect_*_url` it hands out.
///
/// The checkout page's Approve button sends the browser to `approval_url` with a `pg_token`,
/// Cancel and Fail to `cancel_url` and `fail_url` as they are, as KakaoPay does; `?auto=approve`
/// (or `cancel`, `fail`) does the same without the page, for scripts. Errors use the current
/// API's `error_code`/`error_message` shape with KakaoPay's codes (-701 … -799, -2 for a bad
/// parameter). With `control` on, `PUT /_control/delays` sets per-endpoint latency for tests.
package final class KakaoPaySandbox: Sendable {
  /// How the sandbox runs.
  package struct Settings: Sendable {
    /// Where browsers reach the sandbox (its checkout pages live under it), without a trailing `/`.
    package var publicURL: String
    /// The one secret key accepted; nil accepts any non-empty `SECRET_KEY`.
    package var secretKey: String?
    /// Seconds a `tid` can be approved after ready (then -723).
    package var readyLifetime: Int
    /// Whether `PUT /_control/delays` is served.
    package var control: Bool

    package init(publicURL: String, secretKey: String?, readyLifetime: Int = 900, control: Bool = false) {
      self.publicURL = publicURL
      self.secretKey = secretKey
      self.readyLifetime = readyLifetime
      self.control = control
    }
  }

  private let settings: Settings
  private let database: DatabaseQueue
  private let delays = Mutex<[String: Double]>([:])

  /// Opens (and creates) the sandbox's database at `path`.
  package init(databasePath path: String, settings: Settings) throws {
    self.settings = settings
    var configuration = GRDB.Configuration()
    configuration.busyMode = .timeout(5)
    configuration.journalMode = .wal
    database = try DatabaseQueue(path: path, configuration: configuration)
    try SandboxStore.migrator.migrate(database)
  }

  /// Closes the database.
  package func close() throws { try database.close() }

  /// Answers one request.
  package func handle(_ request: SandboxRequest) -> SandboxResponse {
    let segments = request.path.split(separator: "/").map(String.init)
    let method = request.method
    do {
      if method == "POST", segments.count == 4, segments[0...2] == ["online", "v1", "payment"] {
        let endpoint = segments[3]
        try authorize(request)
        let body = try Self.jsonBody(request)
        let answer = try database.write { db in try self.api(endpoint, body, db) }
        return Self.json(200, answer, delay: delays.withLock { $0[endpoint] ?? 0 })
      }
      if method == "GET" || method == "HEAD", segments.count == 2, segments[0] == "checkout" {
        if let action = Self.form(request.query)["auto"] { return try checkout(segments[1], action: action) }
        return try page(segments[1])
      }
      if method == "POST", segments.count == 3, segments[0] == "checkout" {
        return try checkout(segments[1], action: segments[2])
      }
      if method == "PUT", segments == ["_control", "delays"], settings.control {
        return try setDelays(request)
      }
      if method == "GET", segments.isEmpty {
        return Self.html(200, "<h1>KakaoPay sandbox</h1><p>POST /online/v1/payment/ready|approve|cancel|order</p>")
      }
      return Self.json(404, ["error_code": -404, "error_message": "no such sandbox endpoint"])
    } catch let error as SandboxError {
      return Self.json(error.status, error.body)
    } catch {
      return Self.json(500, ["error_code": -500, "error_message": .string("the sandbox failed: \(error)")])
    }
  }

  /// `PUT /_control/delays {"approve": 2.5, …}`: seconds each endpoint waits before answering.
  private func setDelays(_ request: SandboxRequest) throws -> SandboxResponse {
    let body = try Self.jsonBody(request)
    guard case .object(let members) = body else { throw SandboxError.parameter("an object of seconds") }
    var parsed: [String: Double] = [:]
    for (name, value) in members {
      guard let seconds = value.doubleValue, seconds >= 0, seconds <= 600 else {
        throw SandboxError.parameter("\(name) must be 0 to 600 seconds")
      }
      parsed[name] = seconds
    }
    delays.withLock { $0 = parsed }
    return Self.json(200, body)
  }

  // MARK: - The API

  private func authorize(_ request: SandboxRequest) throws {
    let header = request.authorization ?? ""
    guard header.hasPrefix("SECRET_KEY "), header.count > "SECRET_KEY ".count else {
      throw SandboxError.unauthorized("Authorization must be SECRET_KEY {key}")
    }
    if let key = settings.secretKey {
      let given = Array(header.utf8.dropFirst("SECRET_KEY ".utf8.count))
      let expected = Array(key.utf8)
      var difference = given.count == expected.count ? 0 : 1
      for index in 0..<min(given.count, expected.count) { difference |= Int(given[index] ^ expected[index]) }
      guard difference == 0 else { throw SandboxError.unauthorized("the secret key is not this sandbox's") }
    }
  }

  private func api(_ endpoint: String, _ body: JSONValue, _ db: Database) throws -> JSONValue {
    let fields = Fields(body)
    switch endpoint {
    case "ready": return try ready(fields, db)
    case "approve": return try approve(fields, db)
    case "cancel": return try cancel(fields, db)
    case "order": return try order(fields, db)
    default: throw SandboxError(status: 404, code: -404, message: "no such endpoint: \(endpoint)")
    }
  }

  private func ready(_ fields: Fields, _ db: Database) throws -> JSONValue {
    let cid = try fields.cid()
    let orderID = try fields.string("partner_order_id", max: 100)
    let userID = try fields.string("partner_user_id", max: 100)
    let itemName = try fields.string("item_name", max: 100)
    let quantity = try fields.integer("quantity", min: 1)
    let total = try fields.integer("total_amount", min: 1)
    let taxFree = try fields.integer("tax_free_amount", min: 0)
    guard taxFree <= total else { throw SandboxError.parameter("tax_free_amount exceeds total_amount") }
    let vat = try fields.optionalInteger("vat_amount") ?? (total - taxFree) / 11
    let approval = try fields.url("approval_url")
    let cancel = try fields.url("cancel_url")
    let fail = try fields.url("fail_url")
    let tid = "T" + Self.random(19, alphabet: "0123456789abcdef")
    let now = Date()
    try db.execute(
      sql: """
        INSERT INTO payments (tid, cid, partner_order_id, partner_user_id, item_name, quantity, total, tax_free, vat,
          approval_url, cancel_url, fail_url, status, created_at, expires_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'READY', ?, ?)
        """,
      arguments: [
        tid, cid, orderID, userID, itemName, quantity, total, taxFree, vat, approval, cancel, fail,
        now.timeIntervalSince1970, now.timeIntervalSince1970 + Double(settings.readyLifetime),
      ])
    let page = settings.publicURL + "/checkout/" + tid
    return [
      "tid": .string(tid), "tms_result": false, "created_at": .string(Self.kst(now)),
      "next_redirect_pc_url": .string(page + "?device=pc"),
      "next_redirect_mobile_url": .string(page + "?device=mobile"),
      "next_redirect_app_url": .string(page + "?device=app"),
      "android_app_scheme": .string("kakaotalk://kakaopay/pg?url=" + page),
      "ios_app_scheme": .string("kakaotalk://kakaopay/pg?url=" + page),
    ]
  }

  private func approve(_ fields: Fields, _ db: Database) throws -> JSONValue {
    let cid = try fields.cid()
    var payment = try SandboxStore.payment(try fields.string("tid", max: 40), cid: cid, db)
    guard try fields.string("partner_order_id", max: 100) == payment.partnerOrderID else {
      throw SandboxError(status: 400, code: -706, message: "partner_order_id differs from the ready call")
    }
    guard try fields.string("partner_user_id", max: 100) == payment.partnerUserID else {
      throw SandboxError(status: 400, code: -707, message: "partner_user_id differs from the ready call")
    }
    let token = try fields.string("pg_token", max: 100)
    switch payment.status {
    case "SUCCESS_PAYMENT", "CANCEL_PAYMENT", "PART_CANCEL_PAYMENT":
      throw SandboxError(status: 400, code: -702, message: "the payment is already approved")
    case "QUIT_PAYMENT", "FAIL_PAYMENT", "FAIL_AUTH_PASSWORD":
      throw SandboxError(
        status: 400, code: -780, message: "the payment ended (\(payment.status)) and cannot be approved")
    default:
      break
    }
    guard Date().timeIntervalSince1970 < payment.expiresAt else {
      throw SandboxError(status: 400, code: -723, message: "the payment expired")
    }
    guard payment.status == "AUTH_PASSWORD", let expected = payment.pgToken else {
      throw SandboxError(status: 400, code: -701, message: "the buyer has not approved the payment yet")
    }
    guard expected == token else { throw SandboxError(status: 400, code: -708, message: "pg_token is not valid") }
    payment.status = "SUCCESS_PAYMENT"
    payment.aid = "A" + Self.random(19, alphabet: "0123456789abcdef")
    payment.approvedAt = Date().timeIntervalSince1970
    try SandboxStore.save(payment, db)
    var answer = payment.common
    answer["aid"] = .string(payment.aid!)
    answer["amount"] = payment.amount(payment.total)
    answer["card_info"] = .null
    return .object(answer)
  }

  private func cancel(_ fields: Fields, _ db: Database) throws -> JSONValue {
    let cid = try fields.cid()
    var payment = try SandboxStore.payment(try fields.string("tid", max: 40), cid: cid, db)
    let amount = try fields.integer("cancel_amount", min: 1)
    _ = try fields.integer("cancel_tax_free_amount", min: 0)
    guard payment.status == "SUCCESS_PAYMENT" || payment.status == "PART_CANCEL_PAYMENT" else {
      throw SandboxError(status: 400, code: -783, message: "a payment that is \(payment.status) cannot be canceled")
    }
    guard amount <= payment.total - payment.canceled else {
      throw SandboxError(status: 400, code: -710, message: "cancel_amount exceeds the cancelable amount")
    }
    payment.canceled += amount
    payment.status = payment.canceled == payment.total ? "CANCEL_PAYMENT" : "PART_CANCEL_PAYMENT"
    payment.canceledAt = Date().timeIntervalSince1970
    try SandboxStore.save(payment, db)
    var answer = payment.common
    answer["aid"] = payment.aid.map(JSONValue.string) ?? .null
    answer["amount"] = payment.amount(payment.total)
    answer["approved_cancel_amount"] = payment.amount(amount)
    answer["canceled_amount"] = payment.amount(payment.canceled)
    answer["cancel_available_amount"] = payment.amount(payment.total - payment.canceled)
    return .object(answer)
  }

  private func order(_ fields: Fields, _ db: Database) throws -> JSONValue {
    let cid = try fields.cid()
    let payment = try SandboxStore.payment(try fields.string("tid", max: 40), cid: cid, db)
    var answer = payment.common
    answer["amount"] = payment.amount(payment.total)
    answer["canceled_amount"] = payment.amount(payment.canceled)
    let available = payment.approvedAt == nil ? 0 : payment.total - payment.canceled
    answer["cancel_available_amount"] = payment.amount(available)
    var actions: [JSONValue] = []
    if let aid = payment.aid, let approved = payment.approvedAt {
      actions.append([
        "aid": .string(aid), "approved_at": .string(Self.kst(Date(timeIntervalSince1970: approved))),
        "amount": .integer(payment.total), "point_amount": 0, "discount_amount": 0, "green_deposit": 0,
        "payment_action_type": "PAYMENT", "payload": "",
      ])
    }
    if payment.canceled > 0, let canceled = payment.canceledAt {
      actions.append([
        "aid": .string("C" + payment.tid.dropFirst()),
        "approved_at": .string(Self.kst(Date(timeIntervalSince1970: canceled))),
        "amount": .integer(payment.canceled), "point_amount": 0, "discount_amount": 0, "green_deposit": 0,
        "payment_action_type": "CANCEL", "payload": "",
      ])
    }
    answer["payment_action_details"] = .array(actions)
    return .object(answer)
  }

  // MARK: - The checkout page

  private func page(_ tid: String) throws -> SandboxResponse {
    guard var payment = try database.read({ try SandboxStore.find(tid, $0) }) else {
      return Self.html(404, "<h1>No such payment</h1>")
    }
    if payment.status == "READY" {
      payment.status = "OPEN_PAYMENT"
      try database.write { try SandboxStore.save(payment, $0) }
    }
    let open = payment.status == "OPEN_PAYMENT" && Date().timeIntervalSince1970 < payment.expiresAt
    let escapedTID = Self.escape(tid)
    var html = """
      <h1>KakaoPay sandbox</h1>
      <p>No money moves here.</p>
      <p id="item">\(Self.escape(payment.itemName))</p>
      <p>Amount: <strong id="amount">\(payment.total)</strong> KRW</p>
      <p>Status: <span id="status">\(Self.escape(payment.status))</span></p>
      """
    if open {
      for (action, label) in [("approve", "Approve"), ("cancel", "Cancel"), ("fail", "Fail")] {
        html += """
          <form method="post" action="\(escapedTID)/\(action)"><button id="\(action)" type="submit">\(label)</button></form>
          """
      }
    } else {
      html += "<p>This payment can no longer be approved.</p>"
    }
    return Self.html(200, html)
  }

  /// The buyer's choice: back to the shop's callback, as KakaoPay sends the browser.
  private func checkout(_ tid: String, action: String) throws -> SandboxResponse {
    try database.write { db in
      guard var payment = try SandboxStore.find(tid, db) else { return Self.html(404, "<h1>No such payment</h1>") }
      guard ["READY", "OPEN_PAYMENT"].contains(payment.status), Date().timeIntervalSince1970 < payment.expiresAt
      else { return Self.html(409, "<h1>This payment can no longer be approved</h1>") }
      let location: String
      switch action {
      case "approve":
        let token = Self.random(20, alphabet: "0123456789abcdef")
        payment.status = "AUTH_PASSWORD"
        payment.pgToken = token
        location = payment.approvalURL + (payment.approvalURL.contains("?") ? "&" : "?") + "pg_token=" + token
      case "cancel":
        payment.status = "QUIT_PAYMENT"
        location = payment.cancelURL
      case "fail":
        payment.status = "FAIL_PAYMENT"
        location = payment.failURL
      default:
        return Self.html(404, "<h1>No such action</h1>")
      }
      try SandboxStore.save(payment, db)
      return SandboxResponse(
        status: 303, headers: [("Location", location), ("Content-Type", "text/html; charset=utf-8")],
        body: Array("<a href=\"\(Self.escape(location))\">continue</a>\n".utf8))
    }
  }

  // MARK: - Helpers

  private static func jsonBody(_ request: SandboxRequest) throws -> JSONValue {
    let type = (request.contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
    guard type?.lowercased() == "application/json" else {
      throw SandboxError.parameter("the body must be JSON (Content-Type: application/json)")
    }
    guard let body = try? JSONValue.parse(request.body), case .object = body else {
      throw SandboxError.parameter("the body is not a JSON object")
    }
    return body
  }

  static func json(_ status: Int, _ value: JSONValue, delay: Double = 0) -> SandboxResponse {
    SandboxResponse(
      status: status, headers: [("Content-Type", "application/json;charset=UTF-8")],
      body: Array(value.serialized.utf8), delay: delay)
  }

  static func html(_ status: Int, _ content: String) -> SandboxResponse {
    let page = """
      <!doctype html><html lang="ko"><head><meta charset="utf-8">\
      <meta name="viewport" content="width=device-width, initial-scale=1"><title>KakaoPay sandbox</title></head>
      <body>\(content)</body></html>

      """
    return SandboxResponse(
      status: status,
      headers: [
        ("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'none'; form-action 'self'; base-uri 'none'"),
      ], body: Array(page.utf8))
  }

  static func form(_ query: String) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in query.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
      fields[parts[0]] = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
    }
    return fields
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
      .replacingOccurrences(of: "'", with: "&#39;")
  }

  static func random(_ count: Int, alphabet: String) -> String {
    var generator = SystemRandomNumberGenerator()
    let characters = Array(alphabet)
    return String((0..<count).map { _ in characters[Int.random(in: 0..<characters.count, using: &generator)] })
  }

  /// KakaoPay's time format: local Korean time without a zone (`2016-11-15T21:18:22`).
  static func kst(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "Asia/Seoul") ?? TimeZone(secondsFromGMT: 9 * 3600)
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
    return formatter.string(from: date)
  }
}
