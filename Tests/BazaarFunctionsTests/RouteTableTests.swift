import BazaarFunctions
import Testing

@Suite struct RouteTableTests {
  let table = RouteTable()

  func name(_ method: String, _ path: String) -> String? {
    if case .function(let function, _) = table.match(method: method, path: path) { return function.name }
    return nil
  }

  @Test func everyFunctionIsReachableByItsOwnRoute() {
    for function in FunctionCatalog.all {
      let path = function.route.path.split(separator: "/").map { $0.hasPrefix("{") ? "x1" : String($0) }
      #expect(name(function.route.method, "/" + path.joined(separator: "/")) == function.name)
    }
  }

  @Test func routesAreUnique() {
    let keys = FunctionCatalog.all.map { $0.route.method + " " + $0.route.path }
    #expect(Set(keys).count == keys.count)
  }

  @Test func pathParametersArePercentDecodedSegments() {
    guard case .function(let function, let parameters) = table.match(method: "POST", path: "/products/prd%5F1/stock")
    else {
      Issue.record("no match")
      return
    }
    #expect(function.name == "adjustStock")
    #expect(parameters == ["id": "prd_1"])
    #expect(name("GET", "/products/") == nil, "an empty parameter matches nothing")
    #expect(name("GET", "/products/a/b") == nil)
    #expect(name("GET", "/products/%ZZ") == nil)
    #expect(name("GET", "products") == nil)
  }

  @Test func headIsGetAndWrongMethodsListWhatIsAllowed() {
    #expect(name("HEAD", "/products/prd_1") == "getProduct")
    guard case .methodNotAllowed(let allowed) = table.match(method: "PUT", path: "/products/prd_1") else {
      Issue.record("expected 405")
      return
    }
    #expect(allowed == ["DELETE", "GET", "HEAD", "PATCH"])
    guard case .notFound = table.match(method: "GET", path: "/nowhere") else {
      Issue.record("expected 404")
      return
    }
  }

  @Test func queryDecodingHandlesPlusAndEscapes() {
    #expect(PercentDecoding.decode("a+b%20c%EC%82%AC", plusIsSpace: true) == "a b c사")
    #expect(PercentDecoding.decode("a+b", plusIsSpace: false) == "a+b")
    #expect(PercentDecoding.decode("%C3%28", plusIsSpace: true) == nil, "not UTF-8")
    #expect(PercentDecoding.decode("%4", plusIsSpace: true) == nil)
  }
}
