import BazaarCore
import BazaarCrypto
import BazaarFunctions
import BazaarLive
import BazaarStore
import Foundation
import Testing

struct FixedClock: Clock {
  var instant = Timestamp(seconds: 1_800_000_000)
  func now() -> Timestamp { instant }
}

/// The live services (`LiveServices.wire`) over a fresh home, with a fixed clock and cheaper scrypt.
final class LiveHarness {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bazaar-\(UUID().uuidString)").path
  let live: LiveServices
  let signer: HS256TokenSigner
  var services: Services { live.services }
  var store: SQLiteStore { live.sqlite! }

  init() throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let secret = String(repeating: "7", count: 32)
    let configuration = try Configuration(
      environment: Environment(["BAZAAR_HOME": directory, "BAZAAR_JWT_SECRET": secret, "BAZAAR_SCRYPT_LOG_N": "14"]))
    live = try LiveServices.wire(configuration, connections: .pool, clock: FixedClock())
    signer = try HS256TokenSigner(secret: Array(secret.utf8))
  }

  deinit { try? FileManager.default.removeItem(atPath: directory) }

  /// Invokes `name` with `body`; returns the status and the decoded JSON object.
  func invoke(_ name: String, _ body: String, token: String? = nil, limit: Int = 1 << 20) throws -> (Int, [String: Any])
  {
    let function = try #require(FunctionCatalog.named(name))
    let response = FunctionInvoker(maxInputBytes: limit).invoke(
      function, body: Array(body.utf8), token: token, requestID: "req-test", services: { services },
      reportInternal: { Issue.record("internal error: \($0)") })
    #expect(response.body.last == 10, "one JSON object and a newline")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    return (response.status, object)
  }
}

@Suite struct FunctionInvokerTests {
  let harness: LiveHarness
  init() throws { harness = try LiveHarness() }

  func fieldErrors(_ object: [String: Any]) -> [String] {
    (object["errors"] as? [[String: Any]] ?? []).map { "\($0["field"]!):\($0["code"]!)" }
  }

  @Test func badBodiesGiveProblemsWithTheirCodes() throws {
    let cases: [(String, Int, String)] = [
      ("{", 400, "malformed_json"), ("[1,2]", 400, "malformed_json"), ("\"text\"", 400, "malformed_json"),
      ("{\"email\":1}", 422, "validation_failed"), (String(repeating: "[", count: 100_000), 400, "malformed_json"),
    ]
    for (body, status, code) in cases {
      let (got, object) = try harness.invoke("signup", body)
      #expect(got == status, "\(body.prefix(20))")
      #expect(object["code"] as? String == code)
      #expect(object["type"] as? String == "/problems/\(code)")
      #expect(object["requestId"] as? String == "req-test")
    }
  }

  @Test func oversizedBodiesAre413() throws {
    let (status, object) = try harness.invoke("signup", String(repeating: " ", count: 2048), limit: 1024)
    #expect(status == 413)
    #expect(object["code"] as? String == "payload_too_large")
  }

  @Test func missingMistypedAndUnknownFieldsAreNamed() throws {
    let (status, object) = try harness.invoke("signup", #"{"password":7,"pasword":"x","name":null}"#)
    #expect(status == 422)
    #expect(fieldErrors(object) == ["email:required", "password:wrong_type", "pasword:unknown_field"])
  }

  @Test func nestedFieldsAreNamedWithTheirPath() throws {
    _ = try harness.invoke("signup", #"{"email":"kim@example.com","password":"correct horse"}"#)
    let (_, login) = try harness.invoke("login", #"{"email":"kim@example.com","password":"correct horse"}"#)
    let token = try #require(login["token"] as? String)
    let (status, object) = try harness.invoke(
      "updateProfile", #"{"shippingAddress":{"recipient":"Kim","postalCode":"1","line1":"x","floor":3}}"#, token: token)
    #expect(status == 422)
    #expect(fieldErrors(object) == ["shippingAddress.floor:unknown_field"], "shape first, like the top level")
    let (_, domain) = try harness.invoke(
      "updateProfile", #"{"shippingAddress":{"recipient":"Kim","postalCode":"1","line1":" "}}"#, token: token)
    #expect(fieldErrors(domain) == ["shippingAddress.postalCode:invalid", "shippingAddress.line1:required"])
  }

  @Test func authIsCheckedBeforeTheInput() throws {
    let (status, object) = try harness.invoke("getProfile", #"{"junk":1}"#)
    #expect(status == 401)
    #expect(object["code"] as? String == "unauthenticated")
  }

  @Test func aPublicFunctionIgnoresAStaleToken() throws {
    let (status, _) = try harness.invoke(
      "signup", #"{"email":"kim@example.com","password":"correct horse"}"#, token: "garbage")
    #expect(status == 201)
  }

  @Test func anOperatorTokenOpensNoFunction() throws {
    let claims = AccessClaims(
      subject: "operator", role: .operator, tokenID: "op-1", issuedAt: FixedClock().instant,
      expiresAt: FixedClock().instant.adding(seconds: 600))
    let token = try harness.signer.sign(claims)
    let shipment = #"{"id":"shp_00000000000000000000000000"}"#
    for (name, body) in [("getProfile", "{}"), ("getSellerProfile", "{}"), ("getShipment", shipment)] {
      let (status, object) = try harness.invoke(name, body, token: token)
      #expect(status == 403, "\(name)")
      #expect(object["code"] as? String == "forbidden_role", "\(name)")
    }
  }

  @Test func exitCodesFollowSysexits() {
    #expect(
      [200, 201, 400, 401, 403, 404, 409, 413, 422, 429, 500, 503, 504].map(SysExits.forStatus) == [
        0, 0, 65, 77, 77, 65, 65, 65, 65, 75, 70, 75, 75,
      ])
  }

  @Test func catalogNamesAndRoutesAreUnique() {
    let names = FunctionCatalog.all.map(\.name)
    let routes = FunctionCatalog.all.map { "\($0.route.method) \($0.route.path)" }
    #expect(Set(names).count == names.count)
    #expect(Set(routes).count == routes.count)
  }

  @Test(arguments: [
    (Int64(0), "1970-01-01T00:00:00.000Z"), (1_800_000_000_123, "2027-01-15T08:00:00.123Z"),
    (951_782_400_000, "2000-02-29T00:00:00.000Z"), (-1, "1969-12-31T23:59:59.999Z"),
  ])
  func timestampsFormatAsRFC3339(ms: Int64, text: String) {
    #expect(Timestamp(milliseconds: ms).rfc3339 == text)
  }
}

/// Directories to remove when the test process exits (for fixtures held by statics, which are
/// never released, so no `deinit` runs for them).
enum RemoveAtExit {
  nonisolated(unsafe) private static var paths: [String] = []
  private static let installed: Void = { atexit { RemoveAtExit.removeAll() } }()

  static func register(_ path: String) {
    _ = installed
    paths.append(path)
  }

  private static func removeAll() {
    for path in paths { try? FileManager.default.removeItem(atPath: path) }
  }
}

@Suite struct ReadsOnlyTests {
  @Test func readOnlyFunctionsAreGetsThatNeitherWaitNorHash() {
    let readers = FunctionCatalog.all.filter(\.readsOnly)
    #expect(readers.count >= 9)
    for function in readers {
      #expect(function.route.method == "GET", "\(function.name)")
      #expect(!function.waitsOnNetwork && !function.hashesPassword, "\(function.name)")
    }
  }

  /// A write from a function that promised to only read is refused, not run on the request's task.
  @Test func aWriteUnderTheReadOnlyPromiseIsRefused() throws {
    let harness = try LiveHarness()
    var reported: [any Error] = []
    let function = try #require(FunctionCatalog.named("signup"))
    let response = StoreAccess.$readsOnly.withValue(true) {
      FunctionInvoker().invoke(
        function, body: Array(#"{"email":"ro@example.com","password":"correct horse battery"}"#.utf8), token: nil,
        requestID: "req-test", services: { harness.services }, reportInternal: { reported.append($0) })
    }
    #expect(response.status == 500)
    #expect(reported.contains { $0 is WriteInReadOnlyFunction })
    let (status, _) = try harness.invoke("signup", #"{"email":"ro@example.com","password":"correct horse battery"}"#)
    #expect(status == 201, "nothing was written the first time")
  }
}
