import BazaarFunctions
import BazaarRunners
import Logging
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct CGIDocumentTests {
  let gateway = Gateway(invoker: FunctionInvoker(maxInputBytes: 1024))

  func noServices() throws -> Services { throw CancellationError() }

  @Test func aRenderedDocumentParsesBackToTheSameResponse() throws {
    let request = GatewayRequest(method: "PUT", path: "/products", requestID: "r-1")
    let response = gateway.handle(request, services: noServices, reportInternal: { _ in })
    let parsed = try #require(CGIDocument.parse(CGIDocument.render(response, includeBody: true)))
    #expect(parsed.status == 405)
    #expect(parsed.body == response.body)
    #expect(parsed.headers.map(\.name) == response.headers.map(\.name) + ["Content-Length"])
    #expect(parsed.header("Allow") == "GET, HEAD, POST")
    #expect(parsed.header("Content-Length") == String(response.body.count))
  }

  @Test func aHeadDocumentHasTheLengthButNoBody() throws {
    let response = GatewayResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
    let parsed = try #require(CGIDocument.parse(CGIDocument.render(response, includeBody: false)))
    #expect(parsed.body.isEmpty && parsed.header("Content-Length") == "2")
  }

  @Test func statusDefaultsTo200AndBareNewlinesAreRead() throws {
    let parsed = try #require(CGIDocument.parse(Array("Content-Type: text/plain\n\nhello".utf8)))
    #expect(parsed.status == 200 && parsed.body == Array("hello".utf8))
  }

  @Test(arguments: [
    "Status: 200 OK\r\nContent-Type: a/b\r\n",  // no blank line
    "Status: banana\r\n\r\n",
    "Status: 99 Too Low\r\n\r\n",
    ": no name\r\n\r\n",
    "Bad Name: x\r\n\r\n",
    "no colon at all\r\n\r\n",
  ])
  func brokenDocumentsAreRefused(_ text: String) {
    #expect(CGIDocument.parse(Array(text.utf8)) == nil)
  }

  @Test func metaVariablesCarryTheRequestAndNothingElse() {
    let request = GatewayRequest(
      method: "POST", path: "/products/prd_1/stock", query: "a=1", authorization: "Bearer t",
      contentType: "application/json", body: Array("{}".utf8), requestID: "r-2")
    let variables = Dictionary(
      uniqueKeysWithValues: CGIDocument.metaVariables(
        for: request, serverName: "localhost", serverPort: 8080, remoteAddress: "127.0.0.1"
      ).map { ($0.name, $0.value) })
    #expect(variables["REQUEST_METHOD"] == "POST" && variables["PATH_INFO"] == "/products/prd_1/stock")
    #expect(variables["QUERY_STRING"] == "a=1" && variables["CONTENT_LENGTH"] == "2")
    #expect(variables["HTTP_AUTHORIZATION"] == "Bearer t" && variables["HTTP_X_REQUEST_ID"] == "r-2")
    #expect(variables["GATEWAY_INTERFACE"] == "CGI/1.1" && variables["REMOTE_ADDR"] == "127.0.0.1")
    #expect(variables.keys.allSatisfy(CGIDocument.isRequestVariable))
    #expect(!CGIDocument.isRequestVariable("BAZAAR_HOME") && CGIDocument.isRequestVariable("BAZAAR_TOKEN"))
  }

  /// The CGI runner, fed the meta-variables a server builds, answers as the gateway does.
  @Test func theCGIRunnerAnswersAsTheGatewayDoes() throws {
    let request = GatewayRequest(method: "DELETE", path: "/nowhere", body: Array("{}".utf8), requestID: "r-3")
    let variables = Dictionary(
      uniqueKeysWithValues: CGIDocument.metaVariables(
        for: request, serverName: "localhost", serverPort: 80, remoteAddress: nil
      ).map { ($0.name, $0.value) })
    var input: [Int32] = [0, 0]
    var output: [Int32] = [0, 0]
    #expect(pipe(&input) == 0 && pipe(&output) == 0)
    _ = write(input[1], "{}", 2)
    close(input[1])
    let code = CGIRunner(gateway: gateway).run(
      variable: { variables[$0] }, only: nil, requestID: "r-3", inputDescriptor: input[0],
      outputDescriptor: output[1], services: noServices,
      logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    close(output[1])
    var document: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while case let count = read(output[0], &buffer, buffer.count), count > 0 { document += buffer[0..<count] }
    close(output[0])
    close(input[0])
    let expected = gateway.handle(request, services: noServices, reportInternal: { _ in })
    let parsed = try #require(CGIDocument.parse(document))
    #expect(code == 0)
    #expect(parsed.status == 404 && parsed.body == expected.body)
    #expect(parsed.header("X-Request-Id") == "r-3" && parsed.header("Content-Type") == "application/problem+json")
  }
}
