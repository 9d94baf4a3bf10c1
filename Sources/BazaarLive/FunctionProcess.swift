package import BazaarCore
package import BazaarFunctions
internal import BazaarRunners
internal import BazaarStore
internal import Foundation

/// One function in one process: the shell contract (`bazaar invoke NAME`, `functions/NAME`)
/// and the CGI program (a web server running the binary or a `functions/NAME` link). Both the
/// `bazaar` binary and the slim `bazaar-fn` (what `functions/NAME` links start) run it.
package enum FunctionProcess {
  /// Runs `name` with stdin as its input; returns the exit code. The token is `token`, else
  /// `BAZAAR_TOKEN`, else `HTTP_AUTHORIZATION`'s bearer credentials. `adapters` are what
  /// the program links beyond SQLite.
  package static func invoke(
    name: String, token: String?, adapters: Adapters
  ) -> Int32 {
    let environment = Environment.process
    let configuration = Result { try Configuration(environment: environment) }
    let runner = ShellRunner(
      invoker: FunctionInvoker(maxInputBytes: (try? configuration.get().maxInputBytes) ?? 1 << 20))
    var live: LiveServices?
    let code = runner.run(
      name: name, token: token ?? Self.token(from: environment),
      requestID: RequestID.from(environment["REQUEST_ID"]),
      // A wrapper that knows the client (a web front calling the shell runner) says so in REMOTE_ADDR.
      client: environment["REMOTE_ADDR"].flatMap { ClientAddress.isAddress($0) ? $0 : nil },
      services: {
        live = try LiveServices.wire(try configuration.get(), adapters: adapters)
        return live!.services
      }, logger: Logs.logger(label: "bazaar.invoke"))
    finish(live)
    return code
  }

  /// Serves the CGI request in this process's environment; `only` limits it to one function.
  package static func cgi(
    only function: FunctionDefinition?, adapters: Adapters
  ) -> Int32 {
    let environment = Environment.process
    let configuration = Result { try Configuration(environment: environment) }
    let runner = CGIRunner(
      gateway: Gateway(invoker: FunctionInvoker(maxInputBytes: (try? configuration.get().maxInputBytes) ?? 1 << 20)))
    var live: LiveServices?
    let code = runner.run(
      variable: { environment[$0] }, only: function,
      trustedProxies: (try? configuration.get().trustedProxies) ?? [],
      requestID: RequestID.from(environment["HTTP_X_REQUEST_ID"] ?? environment["REQUEST_ID"]),
      services: {
        live = try LiveServices.wire(try configuration.get(), adapters: adapters)
        return live!.services
      }, logger: Logs.logger(label: "bazaar.cgi"))
    finish(live)
    return code
  }

  /// Whether a web server started this process as a CGI script: `GATEWAY_INTERFACE` is set
  /// and no command-line arguments were given.
  package static func isCGIRequest(_ arguments: [String]) -> Bool {
    arguments.count == 1 && Environment.process["GATEWAY_INTERFACE"].map { $0.hasPrefix("CGI/") } == true
  }

  /// The function `argv[0]` names (a `functions/NAME` link), if any.
  package static func invokedFunction(_ arguments: [String]) -> FunctionDefinition? {
    arguments.first.flatMap { $0.split(separator: "/").last.map(String.init) }.flatMap(FunctionCatalog.named)
  }

  /// The command line as `bazaar` sees it: started through a `functions/NAME` link, `NAME
  /// ARGS…` becomes `bazaar invoke NAME ARGS…`, the way multi-call binaries dispatch.
  package static func normalized(_ arguments: [String]) -> [String] {
    guard let function = invokedFunction(arguments) else { return arguments }
    return ["bazaar", "invoke", function.name] + arguments.dropFirst()
  }

  /// The exit code of `bazaar invoke NAME [--token T]` run without parsing the command line
  /// any further; nil for any other command line (help, unknown flags).
  package static func fastPath(
    _ arguments: [String], adapters: Adapters
  ) -> Int32? {
    guard arguments.count >= 3, arguments[1] == "invoke", !arguments[2].hasPrefix("-") else { return nil }
    switch arguments.count {
    case 3:
      return invoke(name: arguments[2], token: nil, adapters: adapters)
    case 4 where arguments[3].hasPrefix("--token="):
      let token = String(arguments[3].dropFirst("--token=".count))
      return invoke(name: arguments[2], token: token, adapters: adapters)
    case 5 where arguments[3] == "--token":
      return invoke(name: arguments[2], token: arguments[4], adapters: adapters)
    default:
      return nil
    }
  }

  /// Whether this command line (or CGI request) runs a function that needs what only `bazaar`
  /// links (`FunctionDefinition.needsFullBinary`: the payment functions, photo uploads):
  /// libcurl's and libvips's libraries would cost every other function process milliseconds of
  /// start-up (docs/benchmarks.md).
  package static func runsFullBinaryFunction(_ arguments: [String]) -> Bool {
    if isCGIRequest(arguments) {
      if let function = invokedFunction(arguments) { return function.needsFullBinary }
      let environment = Environment.process
      let method = (environment["REQUEST_METHOD"] ?? "").uppercased()
      guard case .function(let function, _) = RouteTable().match(method: method, path: environment["PATH_INFO"] ?? "")
      else { return false }
      return function.needsFullBinary
    }
    let normalized = normalized(arguments)
    guard normalized.count >= 3, normalized[1] == "invoke" else { return false }
    return FunctionCatalog.named(normalized[2])?.needsFullBinary ?? false
  }

  /// The executable `name` beside this process's binary (through symbolic links), if it is there.
  package static func sibling(named name: String) -> String? {
    guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
    let directory = own.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    let path = directory + "/" + name
    return FileManager.default.isExecutableFile(atPath: path) ? path : nil
  }

  /// `BAZAAR_TOKEN`, else the credentials of a `Bearer` `HTTP_AUTHORIZATION` header.
  package static func token(from environment: Environment) -> String? {
    if let token = environment["BAZAAR_TOKEN"], !token.isEmpty { return token }
    return Gateway.bearerToken(environment["HTTP_AUTHORIZATION"])
  }

  /// Whether `bazaar-fn` must hand this process to `bazaar`: a function only `bazaar` runs
  /// (`runsFullBinaryFunction`), or a shop on PostgreSQL (`BAZAAR_DATABASE_URL`), whose client
  /// library `bazaar-fn` does not link either.
  package static func needsFullBinary(_ arguments: [String]) -> Bool {
    !(Environment.process["BAZAAR_DATABASE_URL"] ?? "").isEmpty || runsFullBinaryFunction(arguments)
  }

  /// The answer and its log line are out: close SQLite now (the last connection checkpoints
  /// the WAL), then let process exit reclaim the rest; releasing GRDB's dispatch queues would
  /// start two libdispatch threads just to dispose of them.
  private static func finish(_ live: LiveServices?) {
    live?.close()
    finished = live
  }

  nonisolated(unsafe) private static var finished: LiveServices?
}
