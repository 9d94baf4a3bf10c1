import BazaarCore
import BazaarJSON
import KakaoPay
import Testing

/// How the adapter reads KakaoPay's answers: both error shapes, every code the core acts on,
/// and every documented status.
@Suite struct KakaoPayWireTests {
  func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

  @Test func errorsInEitherShapeMapToWhatTheCoreMustDo() throws {
    let cases: [(Int, String, PaymentGatewayError)] = [
      (400, #"{"code":-702,"msg":"already"}"#, .alreadyApproved),
      (400, #"{"error_code":-702,"error_message":"already"}"#, .alreadyApproved),
      (400, #"{"error_code":"-723","error_message":"expired"}"#, .expired),
      (400, #"{"code":-721,"msg":"no tid"}"#, .unknownTransaction),
      (400, #"{"code":-710,"msg":"too much"}"#, .exceedsCancelable),
      (400, #"{"code":-797,"msg":"limit"}"#, .limitExceeded),
      (
        400, #"{"code":-708,"msg":"bad token","extras":{"method_result_code":"X","method_result_message":"why"}}"#,
        .notAuthenticated("bad token (why)")
      ),
      (
        400, #"{"code":-731,"msg":"cid"}"#,
        .notConfigured("KakaoPay refused the shop's credentials, CID or address (-731)")
      ),
      (
        401, #"{"error_code":"UNAUTHORIZED","error_message":"key"}"#,
        .notConfigured("KakaoPay refused the shop's credentials (HTTP 401)")
      ),
      (400, #"{"code":-785,"msg":"duplicate"}"#, .rejected(code: -785, message: "duplicate")),
      (400, #"{"something":"else"}"#, .rejected(code: 0, message: "HTTP 400")),
    ]
    for (status, body, expected) in cases {
      #expect(KakaoPayGateway.error(status: status, body: try parse(body)) == expected, "\(body)")
    }
    #expect(
      KakaoPayGateway.error(status: 403, body: nil)
        == .notConfigured("KakaoPay refused the shop's credentials (HTTP 403)"))
  }

  @Test func everyDocumentedStatusHasItsGroup() throws {
    let groups: [(String, GatewayPaymentStatus)] = [
      ("READY", .pending), ("SEND_TMS", .pending), ("OPEN_PAYMENT", .pending), ("SELECT_METHOD", .pending),
      ("ARS_WAITING", .pending), ("AUTH_PASSWORD", .pending), ("ISSUED_SID", .pending),
      ("SUCCESS_PAYMENT", .approved), ("PART_CANCEL_PAYMENT", .partCanceled), ("CANCEL_PAYMENT", .canceled),
      ("FAIL_AUTH_PASSWORD", .failed), ("QUIT_PAYMENT", .failed), ("FAIL_PAYMENT", .failed),
    ]
    for (text, group) in groups {
      let state = try KakaoPayGateway.state(try parse(#"{"status":"\#(text)","amount":{"total":1000}}"#))
      #expect(state.status == group && state.statusText == text && state.total == Money(won: 1000))
    }
    #expect(throws: PaymentGatewayError.self) {
      try KakaoPayGateway.state(try parse(#"{"status":"SOMETHING_NEW","amount":{"total":1}}"#))
    }
  }

  @Test func theApprovalIdComesFromTheAnswerOrItsPaymentAction() throws {
    let order = try parse(
      #"""
      {"status":"SUCCESS_PAYMENT","amount":{"total":64000},"canceled_amount":{"total":0},"payment_method_type":"CARD",
       "payment_action_details":[{"aid":"A1","payment_action_type":"PAYMENT","amount":64000}]}
      """#)
    let state = try KakaoPayGateway.state(order)
    #expect(state.aid == "A1" && state.method == "CARD" && state.canceled == Money(won: 0))
  }

  @Test func aDescriptionNeverShowsTheKey() {
    let gateway = KakaoPayGateway(
      PaymentGatewaySettings(
        baseURL: "https://open-api.kakaopay.com", secretKey: "DEVSECRET123", cid: "TC0ONETIME", timeout: 10,
        isSandbox: false))
    #expect(!"\(gateway)".contains("DEVSECRET123") && !String(reflecting: gateway).contains("DEVSECRET123"))
  }
}
