internal import ArgumentParser
internal import BazaarFunctions
internal import BazaarLive
internal import BazaarRunners
internal import BazaarStore

/// `bazaar cgi`: serve one HTTP request as a CGI program (RFC 3875), routing by `PATH_INFO`
/// over the whole route table. A web server runs it (or a `functions/NAME` link, which serves
/// that one function) with the request in meta-variables and the body on standard input.
struct CGI: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cgi",
    abstract: "Serve one request as a CGI program: meta-variables and stdin in, a CGI response out.",
    discussion: """
      Routes by REQUEST_METHOD and PATH_INFO (e.g. GET /products/prd_…), merges QUERY_STRING \
      into the input, reads exactly CONTENT_LENGTH bytes, and takes the token from \
      HTTP_AUTHORIZATION. A web server starts this program with no arguments when it is \
      linked as the script (GATEWAY_INTERFACE set); see deploy/.
      """)

  func run() throws {
    let code = Self.serve(only: nil)
    if code != 0 { throw ExitCode(code) }
  }

  /// Serves the request in this process's CGI environment; `only` limits it to one function.
  static func serve(only function: FunctionDefinition?) -> Int32 {
    let environment = Environment.process
    let requestID = RequestID.from(environment["HTTP_X_REQUEST_ID"] ?? environment["REQUEST_ID"])
    let logger = Logs.logger(label: "bazaar.cgi")
    let configuration = Result { try Configuration(environment: environment) }
    let runner = CGIRunner(
      gateway: Gateway(invoker: FunctionInvoker(maxInputBytes: (try? configuration.get().maxInputBytes) ?? 1 << 20)))
    var live: LiveServices?
    let code = runner.run(
      variable: { environment[$0] }, only: function, requestID: requestID,
      services: {
        live = try LiveServices.wire(try configuration.get())
        return live!.services
      }, logger: logger)
    try? live?.database.close()
    Invoke.keepAlive(live)
    return code
  }

  /// Whether this process was started by a web server as a CGI script: `GATEWAY_INTERFACE`
  /// is set and no command-line arguments were given.
  static func isCGIRequest(_ arguments: [String]) -> Bool {
    arguments.count == 1 && Environment.process["GATEWAY_INTERFACE"].map { $0.hasPrefix("CGI/") } == true
  }
}
