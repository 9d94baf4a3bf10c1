internal import ArgumentParser
internal import BazaarFunctions
internal import BazaarLive
internal import BazaarRunners
internal import BazaarStore

/// `bazaar invoke NAME`: one JSON object in on stdin, one JSON object out on stdout.
struct Invoke: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run one function: JSON object on stdin, JSON object on stdout, JSON logs on stderr.",
    discussion: """
      The caller's token comes from --token, else BAZAAR_TOKEN, else HTTP_AUTHORIZATION \
      ("Bearer …"). Exit codes: 0 ok, 64 usage, 65 refused, 70 internal, 75 retry later, \
      77 unauthenticated or forbidden.
      """
  )

  @Argument(help: "The function's name (see `bazaar functions`).")
  var name: String

  @Option(help: "A bearer token for the call (overrides BAZAAR_TOKEN and HTTP_AUTHORIZATION).")
  var token: String?

  func run() throws {
    let code = Self.execute(name: name, token: token)
    if code != 0 { throw ExitCode(code) }
  }

  /// Runs `name` and returns the exit code; shared by `run()` and the start-up fast path.
  static func execute(name: String, token: String?) -> Int32 {
    let environment = Environment.process
    let requestID = RequestID.from(environment["REQUEST_ID"])
    let logger = Logs.logger(label: "bazaar.invoke")
    let configuration = Result { try Configuration(environment: environment) }
    let runner = ShellRunner(
      invoker: FunctionInvoker(maxInputBytes: (try? configuration.get().maxInputBytes) ?? 1 << 20))
    var live: LiveServices?
    let code = runner.run(
      name: name, token: token ?? Self.token(from: environment), requestID: requestID,
      services: {
        live = try LiveServices.wire(try configuration.get())
        return live!.services
      }, logger: logger)
    // The answer and its log line are out. Close SQLite now (the last connection checkpoints
    // the WAL), then let process exit reclaim the rest: releasing GRDB's dispatch queues
    // would start two libdispatch threads just to dispose of them.
    try? live?.database.close()
    keepAlive(live)
    return code
  }

  /// Keeps a finished request's objects alive until the process exits (see above).
  static func keepAlive(_ live: LiveServices?) {
    finished = live
  }

  nonisolated(unsafe) private static var finished: LiveServices?

  /// The command line as `bazaar` sees it: when the program was started through a
  /// `functions/NAME` link (its `argv[0]` names a function), `NAME ARGS…` becomes
  /// `bazaar invoke NAME ARGS…`, the way multi-call binaries dispatch.
  static func normalized(_ arguments: [String]) -> [String] {
    guard let program = arguments.first else { return arguments }
    let invokedAs = program.split(separator: "/").last.map(String.init) ?? program
    guard invokedAs != "bazaar", FunctionCatalog.named(invokedAs) != nil else { return arguments }
    return ["bazaar", "invoke", invokedAs] + arguments.dropFirst()
  }

  /// The exit code of `bazaar invoke NAME [--token T]` run without argument-parser's
  /// reflection, which costs several milliseconds per process; nil for any other command
  /// line (help, unknown flags), which goes through the full parser.
  static func fastPath(_ arguments: [String]) -> Int32? {
    guard arguments.count >= 3, arguments[1] == "invoke", !arguments[2].hasPrefix("-") else { return nil }
    switch arguments.count {
    case 3:
      return execute(name: arguments[2], token: nil)
    case 4 where arguments[3].hasPrefix("--token="):
      return execute(name: arguments[2], token: String(arguments[3].dropFirst("--token=".count)))
    case 5 where arguments[3] == "--token":
      return execute(name: arguments[2], token: arguments[4])
    default:
      return nil
    }
  }

  /// `BAZAAR_TOKEN`, else the credentials of a `Bearer` `HTTP_AUTHORIZATION` header.
  static func token(from environment: Environment) -> String? {
    if let token = environment["BAZAAR_TOKEN"], !token.isEmpty { return token }
    return Gateway.bearerToken(environment["HTTP_AUTHORIZATION"])
  }
}
